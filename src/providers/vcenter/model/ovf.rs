//! OVF descriptors: parse what `filter` and `deploy` need from an uploaded `.ovf`, and write one for
//! create-from-VM. Only the parts the vCenter OVF service reports are read; namespaces are ignored.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use serde_json::{json, Value};

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OvfProperty {
    pub key: String,
    pub label: String,
    pub description: String,
    pub r#type: String,
    pub value: String,
    pub user_configurable: bool,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OvfDisk {
    pub disk_id: String,
    pub file_ref: Option<String>,
    pub capacity_bytes: i64,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OvfDescriptor {
    pub name: Option<String>,
    pub annotation: Option<String>,
    pub eulas: Vec<String>,
    pub networks: Vec<String>,
    pub storage_groups: Vec<String>,
    /// File references (`References/File`): href and size.
    pub files: Vec<(String, i64)>,
    pub disks: Vec<OvfDisk>,
    pub properties: Vec<OvfProperty>,
    pub deployment_options: Vec<(String, String)>,
    pub default_option: Option<String>,
    pub cpu_count: i64,
    pub memory_mib: i64,
    pub guest_os: Option<String>,
    pub has_extra_config: bool,
    /// A `vServiceDependencySection` (deploy then needs Extension.Register).
    #[serde(default)]
    pub has_vservice_dependency: bool,
}

fn local(e: &BytesStart) -> String {
    String::from_utf8_lossy(e.local_name().as_ref()).to_string()
}

fn attr(e: &BytesStart, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name.as_bytes())
        .and_then(|a| a.unescape_value().ok().map(|v| v.to_string()))
}

/// Parses a descriptor. Errors carry the parser's message and are reported as OVF parse issues.
pub fn parse(text: &str) -> Result<OvfDescriptor, String> {
    let mut r = Reader::from_str(text);
    let mut d = OvfDescriptor { cpu_count: 1, memory_mib: 512, ..Default::default() };
    let mut path: Vec<String> = vec![];
    let mut text_buf = String::new();
    let mut item_type: Option<String> = None;
    let mut item_qty: Option<i64> = None;
    let mut item_units: Option<String> = None;
    let mut saw_envelope = false;
    let mut cur_prop: Option<OvfProperty> = None;

    loop {
        let ev = r.read_event().map_err(|e| format!("line {}: {e}", line_of(text, r.buffer_position() as usize)))?;
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_empty = matches!(ev, Event::Empty(_));
                let name = local(e);
                if path.is_empty() {
                    if name != "Envelope" {
                        return Err(format!("root element is '{name}', expected 'Envelope'"));
                    }
                    saw_envelope = true;
                }
                match name.as_str() {
                    "File" => d.files.push((
                        attr(e, "href").unwrap_or_default(),
                        attr(e, "size").and_then(|s| s.parse().ok()).unwrap_or(0),
                    )),
                    "Disk" => {
                        let cap: i64 = attr(e, "capacity").and_then(|s| s.parse().ok()).unwrap_or(0);
                        let units = attr(e, "capacityAllocationUnits").unwrap_or_else(|| "byte".into());
                        d.disks.push(OvfDisk {
                            disk_id: attr(e, "diskId").unwrap_or_default(),
                            file_ref: attr(e, "fileRef"),
                            capacity_bytes: cap.saturating_mul(unit_factor(&units)),
                        });
                    }
                    "Network" if path.last().map(String::as_str) == Some("NetworkSection") => {
                        if let Some(n) = attr(e, "name") {
                            d.networks.push(n);
                        }
                    }
                    "StorageGroupSection" | "StorageGroup" => {
                        if let Some(id) = attr(e, "id") {
                            d.storage_groups.push(id);
                        }
                    }
                    "VirtualSystem" if d.name.is_none() => d.name = attr(e, "id"),
                    "Property" => {
                        let p = OvfProperty {
                            key: attr(e, "key").unwrap_or_default(),
                            r#type: attr(e, "type").unwrap_or_else(|| "string".into()),
                            value: attr(e, "value").unwrap_or_default(),
                            user_configurable: attr(e, "userConfigurable").as_deref() == Some("true"),
                            ..Default::default()
                        };
                        if is_empty {
                            d.properties.push(p);
                        } else {
                            cur_prop = Some(p);
                        }
                    }
                    "Configuration" => {
                        if let Some(id) = attr(e, "id") {
                            if attr(e, "default").as_deref() == Some("true") {
                                d.default_option = Some(id.clone());
                            }
                            d.deployment_options.push((id, String::new()));
                        }
                    }
                    "OperatingSystemSection" => d.guest_os = attr(e, "osType"),
                    "ExtraConfig" => d.has_extra_config = true,
                    "vServiceDependencySection" => d.has_vservice_dependency = true,
                    "Item" => {
                        item_type = None;
                        item_qty = None;
                        item_units = None;
                    }
                    _ => {}
                }
                if !is_empty {
                    path.push(name);
                    text_buf.clear();
                }
            }
            Event::Text(t) => text_buf.push_str(&t.unescape().map_err(|e| e.to_string())?),
            Event::CData(t) => text_buf.push_str(&String::from_utf8_lossy(&t)),
            Event::End(_) => {
                let name = path.pop().unwrap_or_default();
                let parent = path.last().map(String::as_str).unwrap_or("");
                let txt = text_buf.trim().to_string();
                match (name.as_str(), parent) {
                    ("License", "EulaSection") => d.eulas.push(txt.clone()),
                    ("Annotation", "AnnotationSection") => d.annotation = Some(txt.clone()),
                    ("Name", "VirtualSystem") => d.name = Some(txt.clone()),
                    ("ResourceType", "Item") => item_type = Some(txt.clone()),
                    ("VirtualQuantity", "Item") => item_qty = txt.parse().ok(),
                    ("AllocationUnits", "Item") => item_units = Some(txt.clone()),
                    ("Label", "Property") | ("Label", "Configuration") => {
                        if let Some(p) = cur_prop.as_mut() {
                            p.label = txt.clone();
                        } else if let Some(o) = d.deployment_options.last_mut() {
                            o.1 = txt.clone();
                        }
                    }
                    ("Description", "Property") => {
                        if let Some(p) = cur_prop.as_mut() {
                            p.description = txt.clone();
                        }
                    }
                    ("Property", _) => {
                        if let Some(p) = cur_prop.take() {
                            d.properties.push(p);
                        }
                    }
                    ("Item", _) => match (item_type.as_deref(), item_qty) {
                        (Some("3"), Some(q)) => d.cpu_count = q,
                        (Some("4"), Some(q)) => {
                            let f = unit_factor(item_units.as_deref().unwrap_or("byte * 2^20"));
                            d.memory_mib = q.saturating_mul(f) >> 20;
                        }
                        _ => {}
                    },
                    _ => {}
                }
                text_buf.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_envelope {
        return Err("no Envelope element".into());
    }
    if !path.is_empty() {
        return Err("unexpected end of document".into());
    }
    Ok(d)
}

fn line_of(text: &str, pos: usize) -> usize {
    text.as_bytes()[..pos.min(text.len())].iter().filter(|b| **b == b'\n').count() + 1
}

/// `byte * 2^30` → 2^30; `MegaBytes`/`GigaBytes` spelled out too.
fn unit_factor(units: &str) -> i64 {
    let u = units.replace(' ', "").to_ascii_lowercase();
    if let Some(exp) = u.strip_prefix("byte*2^") {
        return exp.parse::<u32>().ok().filter(|e| *e < 62).map(|e| 1i64 << e).unwrap_or(1);
    }
    match u.as_str() {
        "kilobytes" => 1 << 10,
        "megabytes" => 1 << 20,
        "gigabytes" => 1 << 30,
        _ => 1,
    }
}

impl OvfDescriptor {
    pub fn download_size(&self) -> i64 {
        self.files.iter().fold(0i64, |a, (_, s)| a.saturating_add(*s))
    }
    pub fn flat_size(&self) -> i64 {
        self.disks.iter().fold(0i64, |a, d| a.saturating_add(d.capacity_bytes))
    }

    /// The `additional_params` of the OVF summary: always `SizeParams`, then properties and deployment options when present.
    pub fn additional_params(&self) -> Vec<Value> {
        let mut out = vec![json!({"@class": "com.vmware.vcenter.ovf.size_params", "type": "SizeParams",
            "approximate_download_size": self.download_size(), "approximate_flat_deployment_size": self.flat_size(),
            "approximate_sparse_deployment_size": self.download_size(), "variable_disk_size": false})];
        if !self.properties.is_empty() {
            let props: Vec<Value> = self
                .properties
                .iter()
                .map(|p| json!({"id": p.key, "label": p.label, "description": p.description, "type": p.r#type, "value": p.value, "ui_optional": !p.user_configurable}))
                .collect();
            out.push(json!({"@class": "com.vmware.vcenter.ovf.property_params", "type": "PropertyParams", "properties": props}));
        }
        if !self.deployment_options.is_empty() {
            let opts: Vec<Value> = self
                .deployment_options
                .iter()
                .map(|(k, l)| json!({"key": k, "label": l, "description": l, "default_choice": Some(k) == self.default_option.as_ref()}))
                .collect();
            let mut p = json!({"@class": "com.vmware.vcenter.ovf.deployment_option_params", "type": "DeploymentOptionParams", "deployment_options": opts});
            if let Some(k) = &self.default_option {
                p["selected_key"] = json!(k);
            }
            out.push(p);
        }
        out
    }
}

/// What create-from-VM exports.
pub struct VmExport<'a> {
    pub name: &'a str,
    pub annotation: &'a str,
    pub guest_os: &'a str,
    pub cpu_count: i64,
    pub memory_mib: i64,
    pub disk_file: &'a str,
    pub disk_capacity_bytes: i64,
    pub networks: &'a [String],
}

fn esc(s: &str) -> String {
    quick_xml::escape::escape(s).to_string()
}

/// Writes an OVF 1.0 descriptor describing a VM, with one disk file and its networks.
pub fn write(vm: &VmExport) -> String {
    let nets: String = vm
        .networks
        .iter()
        .map(|n| format!("    <Network ovf:name=\"{}\"><Description>{}</Description></Network>\n", esc(n), esc(n)))
        .collect();
    let nics: String = vm
        .networks
        .iter()
        .enumerate()
        .map(|(i, n)| {
            format!(
                "      <Item><rasd:AddressOnParent>{}</rasd:AddressOnParent><rasd:Connection>{}</rasd:Connection><rasd:ElementName>Network adapter {}</rasd:ElementName><rasd:InstanceID>{}</rasd:InstanceID><rasd:ResourceSubType>VmxNet3</rasd:ResourceSubType><rasd:ResourceType>10</rasd:ResourceType></Item>\n",
                7 + i,
                esc(n),
                i + 1,
                10 + i
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData" xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData" xmlns:vmw="http://www.vmware.com/schema/ovf">
  <References>
    <File ovf:href="{disk}" ovf:id="file1" ovf:size="{size}"/>
  </References>
  <DiskSection>
    <Info>Virtual disk information</Info>
    <Disk ovf:capacity="{cap}" ovf:capacityAllocationUnits="byte" ovf:diskId="vmdisk1" ovf:fileRef="file1" ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/>
  </DiskSection>
  <NetworkSection>
    <Info>The list of logical networks</Info>
{nets}  </NetworkSection>
  <VirtualSystem ovf:id="{name}">
    <Info>A virtual machine</Info>
    <Name>{name}</Name>
    <AnnotationSection><Info>A human-readable annotation</Info><Annotation>{annotation}</Annotation></AnnotationSection>
    <OperatingSystemSection ovf:id="1" vmw:osType="{os}"><Info>The kind of installed guest operating system</Info></OperatingSystemSection>
    <VirtualHardwareSection>
      <Info>Virtual hardware requirements</Info>
      <Item><rasd:AllocationUnits>hertz * 10^6</rasd:AllocationUnits><rasd:ElementName>{cpu} virtual CPU(s)</rasd:ElementName><rasd:InstanceID>1</rasd:InstanceID><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>{cpu}</rasd:VirtualQuantity></Item>
      <Item><rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits><rasd:ElementName>{mem}MB of memory</rasd:ElementName><rasd:InstanceID>2</rasd:InstanceID><rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>{mem}</rasd:VirtualQuantity></Item>
      <Item><rasd:AddressOnParent>0</rasd:AddressOnParent><rasd:ElementName>Hard disk 1</rasd:ElementName><rasd:HostResource>ovf:/disk/vmdisk1</rasd:HostResource><rasd:InstanceID>6</rasd:InstanceID><rasd:ResourceType>17</rasd:ResourceType></Item>
{nics}    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
"#,
        disk = esc(vm.disk_file),
        size = vm.disk_capacity_bytes / 16,
        cap = vm.disk_capacity_bytes,
        nets = nets,
        name = esc(vm.name),
        annotation = esc(vm.annotation),
        os = esc(vm.guest_os),
        cpu = vm.cpu_count,
        mem = vm.memory_mib,
        nics = nics,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" xmlns:vmw="http://www.vmware.com/schema/ovf" xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData">
  <References><File ovf:href="disk-0.vmdk" ovf:id="file1" ovf:size="1000"/></References>
  <DiskSection><Info>x</Info><Disk ovf:capacity="2" ovf:capacityAllocationUnits="byte * 2^30" ovf:diskId="d1" ovf:fileRef="file1"/></DiskSection>
  <NetworkSection><Info>n</Info><Network ovf:name="VM Network"/><Network ovf:name="nat"/></NetworkSection>
  <vmw:StorageGroupSection ovf:id="group1"><Info>s</Info></vmw:StorageGroupSection>
  <DeploymentOptionSection><Configuration ovf:id="small" ovf:default="true"><Label>Small</Label></Configuration><Configuration ovf:id="large"><Label>Large</Label></Configuration></DeploymentOptionSection>
  <VirtualSystem ovf:id="appliance">
    <Name>appliance</Name>
    <AnnotationSection><Info>a</Info><Annotation>An appliance &amp; more</Annotation></AnnotationSection>
    <EulaSection><Info>e</Info><License>You agree.</License></EulaSection>
    <ProductSection><Property ovf:key="hostname" ovf:type="string" ovf:userConfigurable="true" ovf:value=""><Label>Host name</Label></Property></ProductSection>
    <VirtualHardwareSection><Info>h</Info>
      <Item><rasd:AllocationUnits>hertz * 10^6</rasd:AllocationUnits><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>2</rasd:VirtualQuantity></Item>
      <Item><rasd:AllocationUnits>byte * 2^30</rasd:AllocationUnits><rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>4</rasd:VirtualQuantity></Item>
      <vmw:ExtraConfig vmw:key="a" vmw:value="b"/>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>"#;

    #[test]
    fn parses_what_filter_reports() {
        let d = parse(SAMPLE).unwrap();
        assert_eq!(d.name.as_deref(), Some("appliance"));
        assert_eq!(d.annotation.as_deref(), Some("An appliance & more"));
        assert_eq!(d.eulas, vec!["You agree.".to_string()]);
        assert_eq!(d.networks, vec!["VM Network".to_string(), "nat".to_string()]);
        assert_eq!(d.storage_groups, vec!["group1".to_string()]);
        assert_eq!(d.disks[0].capacity_bytes, 2 << 30);
        assert_eq!((d.cpu_count, d.memory_mib), (2, 4096));
        assert_eq!(d.properties[0].key, "hostname");
        assert_eq!(d.properties[0].label, "Host name");
        assert_eq!(d.default_option.as_deref(), Some("small"));
        assert!(d.has_extra_config);
        let ap = d.additional_params();
        assert_eq!(ap.len(), 3);
        assert_eq!(ap[0]["approximate_download_size"], 1000);
    }

    #[test]
    fn rejects_non_ovf() {
        assert!(parse("<html/>").is_err());
        assert!(parse("<Envelope><a></Envelope>").is_err());
        assert!(parse("").is_err());
    }

    #[test]
    fn written_descriptor_parses_back() {
        let nets = vec!["VM Network".to_string()];
        let x = write(&VmExport {
            name: "web<1>",
            annotation: "",
            guest_os: "otherGuest64",
            cpu_count: 2,
            memory_mib: 2048,
            disk_file: "web-disk-0.vmdk",
            disk_capacity_bytes: 1 << 30,
            networks: &nets,
        });
        let d = parse(&x).unwrap();
        assert_eq!(d.name.as_deref(), Some("web<1>"));
        assert_eq!((d.cpu_count, d.memory_mib), (2, 2048));
        assert_eq!(d.networks, nets);
        assert_eq!(d.files[0].0, "web-disk-0.vmdk");
    }
}
