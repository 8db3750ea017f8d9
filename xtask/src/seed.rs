//! Extracts the OpenAPI fragment of a Partoo reference page (`../shared/partoo/*.seed.md`): the body of its
//! first fenced YAML block (three or more backticks). The page itself is reference data and is never copied
//! into the repository; xtask reads it by path.

/// The YAML block of a reference page, or an error naming the file.
pub(crate) fn yaml_block(name: &str, markdown: &str) -> Result<String, String> {
    let mut lines = markdown.lines();
    let fence = lines
        .by_ref()
        .find_map(|l| {
            let t = l.trim_start();
            let ticks = t.chars().take_while(|c| *c == '`').count();
            (ticks >= 3 && t[ticks..].trim_start().starts_with("yaml")).then(|| "`".repeat(ticks))
        })
        .ok_or_else(|| format!("{name}: no ```yaml block found"))?;
    let mut body = String::new();
    for l in lines {
        if l.trim() == fence {
            return Ok(body);
        }
        body.push_str(l);
        body.push('\n');
    }
    Err(format!("{name}: the ```yaml block is not closed"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn takes_the_first_yaml_block_with_its_own_fence() {
        let md =
            "# Page\n\n````yaml x.yaml post /org\nopenapi: 3.1.0\na: |\n  ```\n  b\n````\ntail\n";
        assert_eq!(
            super::yaml_block("p", md).unwrap(),
            "openapi: 3.1.0\na: |\n  ```\n  b\n"
        );
    }

    #[test]
    fn reports_missing_and_unclosed_blocks() {
        assert!(
            super::yaml_block("p", "no block")
                .unwrap_err()
                .contains("no ```yaml")
        );
        assert!(
            super::yaml_block("p", "```yaml\nx: 1\n")
                .unwrap_err()
                .contains("not closed")
        );
    }
}
