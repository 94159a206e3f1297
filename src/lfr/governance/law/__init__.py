"""The law at the floor of governance: the force's policy (versioned, audited), the
jurisdiction profiles (the EU AI Act and UK rules as named rules with their sources) and the
EU AI Act's Annex II objectives. Every other room reads the law; the law reads no room."""
