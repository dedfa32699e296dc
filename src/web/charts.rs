//! Charts as SVG strings, drawn on the server (being written).
