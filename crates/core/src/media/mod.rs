//! Media the backend takes part in itself.

pub mod echo;
