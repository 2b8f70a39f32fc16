//! Fixture files: `fixtures/<provider>/*.json`, compiled into the binary, or read from `--fixtures DIR`.

use std::collections::BTreeMap;
use std::path::Path;

use include_dir::{include_dir, Dir};
use serde::de::DeserializeOwned;

static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/fixtures");

/// The fixture files of one provider: file name (`vms.json`) → content.
#[derive(Debug, Default, Clone)]
pub struct FixtureFiles {
    /// Where they came from, for error messages (`embedded:fixtures/zstack` or a directory).
    pub origin: String,
    pub files: BTreeMap<String, Vec<u8>>,
}

impl FixtureFiles {
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(|s| s.as_str())
    }

    /// Parses one file; the error names the file and the JSON path of the bad field.
    pub fn parse<T: DeserializeOwned>(&self, name: &str) -> Result<T, String> {
        let bytes = self.files.get(name).ok_or_else(|| format!("{}/{name}: file missing", self.origin))?;
        let de = &mut serde_json::Deserializer::from_slice(bytes);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            format!("{}/{name}: field `{path}`: {}", self.origin, e.inner())
        })
    }

    /// Like `parse`, but an absent file gives `T::default()`.
    pub fn parse_or_default<T: DeserializeOwned + Default>(&self, name: &str) -> Result<T, String> {
        if self.files.contains_key(name) {
            self.parse(name)
        } else {
            Ok(T::default())
        }
    }

    /// An error about a file's content that serde cannot see (a dangling reference, a duplicate id).
    pub fn error(&self, name: &str, field: &str, problem: &str) -> String {
        format!("{}/{name}: field `{field}`: {problem}", self.origin)
    }
}

/// The fixtures of every provider: embedded, or from a directory that holds one folder per provider.
pub fn load(dir: Option<&Path>, providers: &[&str]) -> Result<BTreeMap<String, FixtureFiles>, String> {
    let mut out = BTreeMap::new();
    match dir {
        None => {
            for p in providers {
                let mut set = FixtureFiles { origin: format!("embedded:fixtures/{p}"), ..Default::default() };
                if let Some(d) = EMBEDDED.get_dir(p) {
                    for f in d.files() {
                        if let Some(name) = f.path().file_name().and_then(|n| n.to_str()) {
                            if name.ends_with(".json") {
                                set.files.insert(name.to_string(), f.contents().to_vec());
                            }
                        }
                    }
                }
                out.insert(p.to_string(), set);
            }
        }
        Some(dir) => {
            let meta = std::fs::metadata(dir).map_err(|e| format!("fixtures folder {}: {e}", dir.display()))?;
            if !meta.is_dir() {
                return Err(format!("fixtures folder {}: not a directory", dir.display()));
            }
            for p in providers {
                let sub = dir.join(p);
                let mut set = FixtureFiles { origin: sub.display().to_string(), ..Default::default() };
                if sub.is_dir() {
                    let entries = std::fs::read_dir(&sub).map_err(|e| format!("{}: {e}", sub.display()))?;
                    for entry in entries {
                        let entry = entry.map_err(|e| format!("{}: {e}", sub.display()))?;
                        let path = entry.path();
                        let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_string) else {
                            continue;
                        };
                        if name.ends_with(".json") {
                            let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                            set.files.insert(name, bytes);
                        }
                    }
                }
                out.insert(p.to_string(), set);
            }
        }
    }
    Ok(out)
}
