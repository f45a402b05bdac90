//! TOML files written by people (pins, the agent's config): parsing with
//! errors that name the file, line and column, and the field. The
//! knowledge crate's, which the pins loader uses; the agent's config uses
//! the same.

pub use pinwatch_knowledge::tomlfile::{TomlError, TomlSource};
