"""Rule-based extractors. Each is a pure function of (text, rules, context) that returns
mentions with offsets into the text it was given; none touches spaCy objects."""
