//! The diagnosis over many calls: a corpus of realistic call timelines (tests/corpus/*.toml),
//! each with the headline and the fix it must get, and a large set of generated calls; every
//! diagnosis of either must pass the evidence checks in `verify`.

mod corpus;
mod generated;
mod timeline;
mod verify;
