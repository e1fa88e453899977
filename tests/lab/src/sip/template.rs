//! Fills `{{NAME}}` placeholders in the configuration templates of `tests/lab/sip/`. A placeholder
//! without a value, or a value without a placeholder, is a bug in the lab: both are refused, so a
//! daemon never starts with half a configuration.

use super::LabError;

pub fn render(template_name: &str, template: &str, values: &[(&str, String)]) -> Result<String, LabError> {
    let mut rendered = template.to_string();
    for (name, value) in values {
        let placeholder = format!("{{{{{name}}}}}");
        if !rendered.contains(&placeholder) {
            return Err(LabError::Template {
                template: template_name.to_string(),
                problem: format!("no {placeholder}"),
            });
        }
        rendered = rendered.replace(&placeholder, value);
    }
    if let Some(start) = rendered.find("{{") {
        let end = rendered[start..].find("}}").map_or(rendered.len(), |e| start + e + 2);
        return Err(LabError::Template {
            template: template_name.to_string(),
            problem: format!("{} has no value", &rendered[start..end]),
        });
    }
    Ok(rendered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_every_placeholder() {
        let out = render("t", "listen={{IP}}:{{PORT}} # {{PORT}}", &[("IP", "127.0.0.1".into()), ("PORT", "5".into())]);
        assert_eq!(out.unwrap(), "listen=127.0.0.1:5 # 5");
    }

    #[test]
    fn refuses_a_missing_value_and_an_unknown_name() {
        let missing = render("t", "a={{A}} b={{B}}", &[("A", "1".into())]).unwrap_err();
        assert!(missing.to_string().contains("{{B}} has no value"), "{missing}");
        let unknown = render("t", "a={{A}}", &[("A", "1".into()), ("C", "3".into())]).unwrap_err();
        assert!(unknown.to_string().contains("no {{C}}"), "{unknown}");
    }
}
