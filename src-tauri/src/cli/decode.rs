//! `callscope decode CODE`: what a code or message means, from every catalog it can belong to.

use callscope_causes::decode;
use callscope_core::Error;

use super::print_json;

pub fn run(input: &str, json: bool) -> Result<(), Error> {
    let matches = decode(input);
    if json {
        return print_json(&matches);
    }
    if matches.is_empty() {
        return Err(Error::bad_input(
            "code",
            format!("`{input}` is not a code Callscope knows (try a SIP status, a Q.850 cause, a Telnyx cause or D-code, a Twilio code, or a browser error name)"),
        ));
    }
    for (i, m) in matches.iter().enumerate() {
        let entry = m.entry;
        if i > 0 {
            println!();
        }
        println!("{} {}: {}", m.label, entry.code, entry.name);
        if let Some(note) = &m.note {
            println!("  ({note})");
        }
        println!("  {}", entry.meaning);
        if let Some(caveat) = &entry.caveat {
            println!("  Careful: {caveat}");
        }
        if !entry.causes.is_empty() {
            println!("  Likely causes:");
            for cause in &entry.causes {
                println!("    - {cause}");
            }
        }
        println!("  What to do:");
        for fix in &entry.fix {
            println!("    - {fix}");
        }
    }
    Ok(())
}
