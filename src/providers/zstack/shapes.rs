//! The inventory classes the query API serves: their Java class names (for `schema` and error messages) and
//! their queryable fields (from the Java SDK's `*Inventory` classes).

use super::query_eval::Shape;

pub static USED_IP: Shape = Shape {
    class: "org.zstack.header.network.l3.UsedIpInventory",
    vo_class: "org.zstack.header.network.l3.UsedIpVO",
    fields: &[
        "uuid",
        "ipRangeUuid",
        "l3NetworkUuid",
        "ipVersion",
        "ip",
        "netmask",
        "gateway",
        "usedFor",
        "ipInLong",
        "vmNicUuid",
        "createDate",
        "lastOpDate",
    ],
    children: &[],
};

pub static VM_NIC: Shape = Shape {
    class: "org.zstack.header.vm.VmNicInventory",
    vo_class: "org.zstack.header.vm.VmNicVO",
    fields: &[
        "uuid",
        "vmInstanceUuid",
        "l3NetworkUuid",
        "ip",
        "mac",
        "hypervisorType",
        "netmask",
        "gateway",
        "metaData",
        "ipVersion",
        "driverType",
        "usedIpUuid",
        "internalName",
        "deviceId",
        "type",
        "state",
        "createDate",
        "lastOpDate",
    ],
    children: &[("usedIps", &USED_IP)],
};

const VOLUME_FIELDS: &[&str] = &[
    "uuid",
    "name",
    "description",
    "primaryStorageUuid",
    "vmInstanceUuid",
    "diskOfferingUuid",
    "rootImageUuid",
    "installPath",
    "type",
    "format",
    "size",
    "actualSize",
    "deviceId",
    "state",
    "status",
    "createDate",
    "lastOpDate",
    "isShareable",
    "volumeQos",
    "lastDetachDate",
    "lastVmInstanceUuid",
    "lastAttachDate",
    "protocol",
];

pub static VOLUME: Shape = Shape {
    class: "org.zstack.header.volume.VolumeInventory",
    vo_class: "org.zstack.header.volume.VolumeVO",
    fields: VOLUME_FIELDS,
    children: &[],
};

pub static VM: Shape = Shape {
    class: "org.zstack.header.vm.VmInstanceInventory",
    vo_class: "org.zstack.header.vm.VmInstanceVO",
    fields: &[
        "uuid",
        "name",
        "description",
        "zoneUuid",
        "clusterUuid",
        "imageUuid",
        "hostUuid",
        "lastHostUuid",
        "instanceOfferingUuid",
        "rootVolumeUuid",
        "platform",
        "architecture",
        "defaultL3NetworkUuid",
        "type",
        "hypervisorType",
        "memorySize",
        "reservedMemorySize",
        "cpuNum",
        "cpuSpeed",
        "allocatorStrategy",
        "createDate",
        "lastOpDate",
        "state",
        "guestOsType",
    ],
    children: &[("vmNics", &VM_NIC), ("allVolumes", &VOLUME), ("vmCdRoms", &VM_CDROM)],
};

pub static VM_CDROM: Shape = Shape {
    class: "org.zstack.header.vm.cdrom.VmCdRomInventory",
    vo_class: "org.zstack.header.vm.cdrom.VmCdRomVO",
    fields: &[
        "uuid",
        "vmInstanceUuid",
        "deviceId",
        "isoUuid",
        "isoInstallPath",
        "name",
        "description",
        "createDate",
        "lastOpDate",
    ],
    children: &[],
};

pub static IMAGE_BS_REF: Shape = Shape {
    class: "org.zstack.header.image.ImageBackupStorageRefInventory",
    vo_class: "org.zstack.header.image.ImageBackupStorageRefVO",
    fields: &[
        "imageUuid",
        "backupStorageUuid",
        "installPath",
        "status",
        "exportMd5Sum",
        "exportUrl",
        "createDate",
        "lastOpDate",
    ],
    children: &[],
};

pub static IMAGE: Shape = Shape {
    class: "org.zstack.header.image.ImageInventory",
    vo_class: "org.zstack.header.image.ImageVO",
    fields: &[
        "uuid",
        "name",
        "description",
        "state",
        "status",
        "size",
        "actualSize",
        "md5Sum",
        "url",
        "mediaType",
        "guestOsType",
        "type",
        "platform",
        "architecture",
        "format",
        "system",
        "virtio",
        "createDate",
        "lastOpDate",
    ],
    children: &[("backupStorageRefs", &IMAGE_BS_REF)],
};

pub static ZONE: Shape = Shape {
    class: "org.zstack.header.zone.ZoneInventory",
    vo_class: "org.zstack.header.zone.ZoneVO",
    fields: &["uuid", "name", "description", "state", "type", "isDefault", "createDate", "lastOpDate"],
    children: &[],
};

pub static CLUSTER: Shape = Shape {
    class: "org.zstack.header.cluster.ClusterInventory",
    vo_class: "org.zstack.header.cluster.ClusterVO",
    fields: &[
        "uuid",
        "name",
        "description",
        "state",
        "hypervisorType",
        "zoneUuid",
        "type",
        "architecture",
        "createDate",
        "lastOpDate",
    ],
    children: &[],
};

pub static HOST: Shape = Shape {
    class: "org.zstack.kvm.KVMHostInventory",
    vo_class: "org.zstack.header.host.HostVO",
    fields: &[
        "uuid",
        "name",
        "description",
        "zoneUuid",
        "clusterUuid",
        "managementIp",
        "hypervisorType",
        "state",
        "status",
        "totalCpuCapacity",
        "availableCpuCapacity",
        "cpuSockets",
        "totalMemoryCapacity",
        "availableMemoryCapacity",
        "cpuNum",
        "architecture",
        "createDate",
        "lastOpDate",
    ],
    children: &[],
};

pub static IP_RANGE: Shape = Shape {
    class: "org.zstack.header.network.l3.IpRangeInventory",
    vo_class: "org.zstack.header.network.l3.IpRangeVO",
    fields: &[
        "uuid",
        "l3NetworkUuid",
        "name",
        "description",
        "startIp",
        "endIp",
        "netmask",
        "gateway",
        "networkCidr",
        "ipVersion",
        "prefixLen",
        "createDate",
        "lastOpDate",
    ],
    children: &[],
};

pub static L3_NETWORK: Shape = Shape {
    class: "org.zstack.header.network.l3.L3NetworkInventory",
    vo_class: "org.zstack.header.network.l3.L3NetworkVO",
    fields: &[
        "uuid",
        "name",
        "description",
        "type",
        "zoneUuid",
        "l2NetworkUuid",
        "state",
        "dnsDomain",
        "system",
        "category",
        "ipVersion",
        "createDate",
        "lastOpDate",
        "dns",
    ],
    children: &[("ipRanges", &IP_RANGE)],
};

pub static PRIMARY_STORAGE: Shape = Shape {
    class: "org.zstack.header.storage.primary.PrimaryStorageInventory",
    vo_class: "org.zstack.header.storage.primary.PrimaryStorageVO",
    fields: &[
        "uuid",
        "zoneUuid",
        "name",
        "url",
        "description",
        "totalCapacity",
        "availableCapacity",
        "totalPhysicalCapacity",
        "availablePhysicalCapacity",
        "systemUsedCapacity",
        "type",
        "state",
        "status",
        "mountPath",
        "createDate",
        "lastOpDate",
        "attachedClusterUuids",
    ],
    children: &[],
};

pub static BACKUP_STORAGE: Shape = Shape {
    class: "org.zstack.header.storage.backup.BackupStorageInventory",
    vo_class: "org.zstack.header.storage.backup.BackupStorageVO",
    fields: &[
        "uuid",
        "name",
        "url",
        "description",
        "totalCapacity",
        "availableCapacity",
        "type",
        "state",
        "status",
        "createDate",
        "lastOpDate",
        "attachedZoneUuids",
    ],
    children: &[],
};

pub static SESSION: Shape = Shape {
    class: "org.zstack.header.identity.SessionInventory",
    vo_class: "org.zstack.header.identity.SessionVO",
    fields: &["uuid", "accountUuid", "userUuid", "userType", "expiredDate", "createDate"],
    children: &[],
};
