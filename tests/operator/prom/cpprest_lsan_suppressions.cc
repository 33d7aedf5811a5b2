// cpprestsdk's worker threads are never joined: a request's last continuation (stream close,
// task bookkeeping) may still be queued when the test process exits, and LeakSanitizer then
// reports those objects at random (seen on every test of this binary, even the one without a
// server). The leak is in the library's shutdown, not in the client; suppress exactly that,
// for this test binary only (LeakSanitizer reads this hook at exit).
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libcpprest.so\n"
         "leak:pplx::details::\n";
}
