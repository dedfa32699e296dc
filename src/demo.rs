//! The demo season (being written).
