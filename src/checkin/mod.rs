//! checkin: the morning question "How is your Achilles this morning?"
//! (RULES.md I) — when it is asked (`schedule`, pure). The pain signal every
//! pain rule and the report stand on arrives only if answering costs one tap.

pub mod schedule;
