// Release builds on Windows open no console for the window; the CLI still prints when run from one.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    std::process::exit(callscope_app::run());
}
