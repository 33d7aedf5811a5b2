#include "kubeheal/controllers/label_selector.h"

namespace kubeheal::controllers {
namespace {

std::string Trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

// Terms are separated by commas outside parentheses ("a in (x,y),b=c" has two terms).
Result<std::vector<std::string>> SplitTerms(const std::string& text) {
  std::vector<std::string> terms;
  std::string current;
  int depth = 0;
  for (char c : text) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (depth < 0 || depth > 1) {
      return Error::Terminal("InvalidSelector",
                             "label selector \"" + text + "\": unbalanced parentheses");
    }
    if (c == ',' && depth == 0) {
      terms.push_back(Trim(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (depth != 0) {
    return Error::Terminal("InvalidSelector", "label selector \"" + text + "\": unclosed \"(\"");
  }
  terms.push_back(Trim(current));
  return terms;
}

bool ValidKey(const std::string& key) {
  if (key.empty()) return false;
  for (char c : key) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
          c == '/')) {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<LabelSelector> LabelSelector::Parse(const std::string& text) {
  LabelSelector selector;
  if (Trim(text).empty()) return selector;
  auto terms = SplitTerms(text);
  if (!terms.ok()) return terms.error();
  for (const auto& term : *terms) {
    auto bad = [&](const std::string& why) {
      return Error::Terminal("InvalidSelector",
                             "label selector \"" + text + "\", term \"" + term + "\": " + why);
    };
    if (term.empty()) return bad("empty term");
    Requirement r;
    const auto paren = term.find('(');
    if (paren != std::string::npos) {
      if (term.back() != ')') return bad("expected \")\" at the end");
      std::string head = Trim(term.substr(0, paren));
      const auto space = head.find_last_of(" \t");
      if (space == std::string::npos)
        return bad("expected \"key in (...)\" or \"key notin (...)\"");
      const std::string op = head.substr(space + 1);
      r.key = Trim(head.substr(0, space));
      if (op == "in")
        r.op = Op::kIn;
      else if (op == "notin")
        r.op = Op::kNotIn;
      else
        return bad("unknown operator \"" + op + "\"");
      const std::string inner = term.substr(paren + 1, term.size() - paren - 2);
      size_t start = 0;
      while (start <= inner.size()) {
        const auto comma = inner.find(',', start);
        const std::string v = Trim(
            inner.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (!v.empty()) r.values.insert(v);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      if (r.values.empty()) return bad("empty value set");
    } else if (const auto ne = term.find("!="); ne != std::string::npos) {
      r.key = Trim(term.substr(0, ne));
      r.op = Op::kNotEquals;
      r.values.insert(Trim(term.substr(ne + 2)));
    } else if (const auto eq = term.find('='); eq != std::string::npos) {
      r.key = Trim(term.substr(0, eq));
      r.op = Op::kEquals;
      const size_t value_at = term.compare(eq, 2, "==") == 0 ? eq + 2 : eq + 1;
      r.values.insert(Trim(term.substr(value_at)));
    } else if (term[0] == '!') {
      r.key = Trim(term.substr(1));
      r.op = Op::kNotExists;
    } else {
      r.key = term;
      r.op = Op::kExists;
    }
    if (!ValidKey(r.key)) return bad("invalid label key \"" + r.key + "\"");
    selector.requirements_.push_back(std::move(r));
  }
  return selector;
}

bool LabelSelector::Matches(const nlohmann::json& labels) const {
  for (const auto& r : requirements_) {
    const bool has = labels.is_object() && labels.contains(r.key) && labels[r.key].is_string();
    const std::string value = has ? labels[r.key].get<std::string>() : "";
    bool ok = false;
    switch (r.op) {
      case Op::kEquals:  // "a=b" is "a in (b)"
      case Op::kIn:
        ok = has && r.values.count(value) > 0;
        break;
      case Op::kNotEquals:  // "a!=b" is "a notin (b)"
      case Op::kNotIn:
        ok = !has || r.values.count(value) == 0;
        break;
      case Op::kExists:
        ok = has;
        break;
      case Op::kNotExists:
        ok = !has;
        break;
    }
    if (!ok) return false;
  }
  return true;
}

}  // namespace kubeheal::controllers
