// kubeheal-detect: runs kubeheal's detectors over CSV files and the NAB corpus.
#include <iostream>
#include <string>
#include <vector>

#include "detect_command.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return kubeheal::detect_cli::RunDetectCommand(args, std::cout, std::cerr);
}
