//! Reads under both prefixes: Spring pages, sort, search, copies, markers, unknown parameters.

use serde_json::Value;

use super::*;
use crate::common::Server;

fn names(page: &Value) -> Vec<String> {
    page["content"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn pages_carry_exact_totals() {
    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    let (st, p) = get(&s, "/ims-catalog/v1/images?size=4&page=0", &t).await;
    assert_eq!(st, 200);
    assert_eq!(p["totalElements"], 7);
    assert_eq!(p["totalPages"], 2);
    assert_eq!(p["numberOfElements"], 4);
    assert_eq!(
        (p["first"].as_bool(), p["last"].as_bool(), p["empty"].as_bool()),
        (Some(true), Some(false), Some(false))
    );
    assert_eq!(p["pageable"]["offset"], 0);
    assert_eq!(p["pageable"]["pageSize"], 4);
    let (_, p1) = get(&s, "/ims-catalog/v1/images?size=4&page=1", &t).await;
    assert_eq!(p1["numberOfElements"], 3);
    assert_eq!(p1["last"], true);
    assert_eq!(p1["pageable"]["offset"], 4);
    let mut all = names(&p);
    all.extend(names(&p1));
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 7, "pages do not overlap");

    let (_, exact) = get(&s, "/ims-catalog/v1/images?size=7", &t).await;
    assert_eq!(exact["totalPages"], 1);
    let (_, past) = get(&s, "/ims-catalog/v1/images?size=4&page=9", &t).await;
    assert_eq!(past["content"].as_array().unwrap().len(), 0);
    assert_eq!(past["totalElements"], 7);
    assert_eq!(past["empty"], true);
    let (_, none) = get(&s, "/ims-catalog/v1/images?search=name+%24eq+nothing", &t).await;
    assert_eq!((none["totalElements"].as_u64(), none["totalPages"].as_u64()), (Some(0), Some(0)));
    assert_eq!(
        (none["first"].as_bool(), none["last"].as_bool(), none["empty"].as_bool()),
        (Some(true), Some(true), Some(true))
    );

    // Defaults and clamping: page -1 is page 0, size 0 is 20, the PowerShell module's size=1000 is honoured.
    let (_, d) = get(&s, "/imagemgmt/v1/images?page=-1&size=0", &t).await;
    assert_eq!((d["number"].as_u64(), d["size"].as_u64()), (Some(0), Some(20)));
    let (_, big) = get(&s, "/imagemgmt/v1/images?size=1000", &t).await;
    assert_eq!(big["size"], 1000);
    assert_error(&get(&s, "/imagemgmt/v1/images?page=two", &t).await, 400, "INVALID_PARAMETER", "page");
}

#[tokio::test]
async fn search_filters_by_the_documented_fields() {
    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    let (_, p) = get(
        &s,
        "/ims-catalog/v1/images?search=name+%24eq+win2022-sig&limit=20&org_id=ORG&size=20&page=0"
            .replace("ORG", ORG_A)
            .as_str(),
        &t,
    )
    .await;
    assert_eq!(names(&p), ["win2022-sig"]);
    let (_, p) = get(&s, "/imagemgmt/v1/images?search=sourceType%20$eq%20AZURE_SIG&sort=name,asc", &t).await;
    assert_eq!(names(&p), ["win11-nvidia-sig", "win2022-sig"]);
    let (_, p) = get(&s, "/imagemgmt/v1/images?search=multiSession+%24eq+false&sort=name", &t).await;
    assert_eq!(names(&p), ["ubuntu-custom-vm", "win11-nvidia-sig"]);
    let (_, p) = get(&s, "/imagemgmt/v1/images?search=status+%24eq+AVAILABLE&sort=name,desc", &t).await;
    assert_eq!(names(&p), ["win2022-sig", "win10-published"]);
    // The documented example: images with a copy in a provider instance.
    let (_, p) =
        get(&s, &format!("/imagemgmt/v1/images?search=providerInstanceId+%24eq+{PI_EAST}&sort=name"), &t).await;
    assert_eq!(names(&p), ["ubuntu-custom-vm", "win11-nvidia-sig", "win2022-sig"]);
    // A query parameter wins over a search clause on the same field.
    let (_, p) = get(&s, "/imagemgmt/v1/images?os_type=LINUX&search=osType+%24eq+WINDOWS", &t).await;
    assert_eq!(names(&p), ["ubuntu-custom-vm"]);
    let (_, p) = get(&s, "/imagemgmt/v1/images?os=Ubuntu%2022.04%20LTS", &t).await;
    assert_eq!(names(&p), ["ubuntu-custom-vm"]);
    // Values may hold spaces.
    let (_, p) = get(&s, "/imagemgmt/v1/images?search=os+%24eq+Windows+Server+2022+Datacenter", &t).await;
    assert_eq!(names(&p), ["win2022-sig"]);

    assert_error(&get(&s, "/imagemgmt/v1/images?search=colour+%24eq+red", &t).await, 400, "INVALID_SEARCH", "colour");
    assert_error(&get(&s, "/imagemgmt/v1/images?search=name+%24like+win", &t).await, 400, "INVALID_SEARCH", "$like");
    assert_error(&get(&s, "/imagemgmt/v1/images?search=name", &t).await, 400, "INVALID_SEARCH", "name");
}

#[tokio::test]
async fn sort_orders_and_tolerates_what_clients_send() {
    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    let (_, by_name) = get(&s, "/imagemgmt/v1/images?sort=name,asc", &t).await;
    let mut sorted = names(&by_name);
    sorted.sort();
    assert_eq!(names(&by_name), sorted);
    let (_, desc) = get(&s, "/imagemgmt/v1/images?sort=name,desc", &t).await;
    sorted.reverse();
    assert_eq!(names(&desc), sorted);
    // Default order is creation time: win10-published (August) is the oldest fixture.
    let (_, default) = get(&s, "/imagemgmt/v1/images?sort=asc", &t).await;
    assert_eq!(names(&default)[0], "win10-published");
    let (_, unknown) = get(&s, "/imagemgmt/v1/images?sort=colour,desc&include_catalog_details=True&limit=3", &t).await;
    assert_eq!(names(&unknown), names(&default));
}

#[tokio::test]
async fn both_prefixes_serve_the_same_reads() {
    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    let marker = "65d1000000000000000000a2";
    let copy = "65c1000000000000000000a2";
    for path in [
        "/images?size=50".to_string(),
        format!("/images/{IMG_SIG}"),
        format!("/images/{IMG_SIG}/versions?size=20&page=0"),
        format!("/images/{IMG_SIG}/versions/{VER_SIG_1}"),
        format!("/images/{IMG_SIG}/versions/{VER_SIG_1}/copies?page=0&size=200&sort=asc"),
        format!("/images/{IMG_SIG}/versions/{VER_SIG_1}/copies/{copy}"),
        "/image-copies?limit=20&include_catalog_details=True&size=20&page=0".to_string(),
        format!("/images/{IMG_SIG}/markers?include_template_info=true"),
        format!("/images/{IMG_SIG}/markers/{marker}"),
    ] {
        let a = get(&s, &format!("/imagemgmt/v1{path}"), &t).await;
        let b = get(&s, &format!("/ims-catalog/v1{path}"), &t).await;
        assert_eq!(a.0, 200, "{path}: {}", a.1);
        assert_eq!(a, b, "{path}");
    }
}

#[tokio::test]
async fn versions_copies_and_markers_read_like_the_api() {
    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    let (_, versions) =
        get(&s, &format!("/ims-catalog/v1/images/{IMG_SIG}/versions?org_id={ORG_A}&size=20&page=0"), &t).await;
    assert_eq!(versions["totalElements"], 2);
    let v = &versions["content"][1];
    assert_eq!(v["name"], "1.1.0");
    assert_eq!(v["streamId"], IMG_SIG);
    assert_eq!(v["versionHistory"], serde_json::json!(["1.0.0", "1.1.0"]));
    for field in [
        "id",
        "orgId",
        "state",
        "status",
        "lastTriggeredAction",
        "versionType",
        "markers",
        "options",
        "createdAt",
        "updatedAt",
        "version",
    ] {
        assert!(v.get(field).is_some(), "VersionTO lacks {field}");
    }
    let (_, by_name) = get(&s, &format!("/imagemgmt/v1/images/{IMG_SIG}/versions?search=name+%24eq+1.0.0"), &t).await;
    assert_eq!(by_name["content"][0]["id"], VER_SIG_1);
    assert_error(
        &get(&s, &format!("/imagemgmt/v1/images/{IMG_SIG}/versions/{VER_MARKET}"), &t).await,
        404,
        "VERSION_NOT_FOUND",
        VER_MARKET,
    );
    assert_error(
        &get(&s, &format!("/imagemgmt/v1/images/{IMG_SIG}/versions/{VER_SIG_1}/copies/nope"), &t).await,
        404,
        "COPY_NOT_FOUND",
        "nope",
    );

    let (_, copies) =
        get(&s, "/ims-catalog/v1/image-copies?limit=20&include_catalog_details=True&size=50&page=0", &t).await;
    let content = copies["content"].as_array().unwrap();
    assert!(!content.is_empty());
    for c in content {
        assert!(c["catalogDetails"]["imageId"].is_string(), "{c}");
        assert!(c["assetDetails"]["assetType"].is_string(), "{c}");
    }
    let (_, plain) = get(&s, "/ims-catalog/v1/image-copies?size=1", &t).await;
    assert!(plain["content"][0].get("catalogDetails").is_none());
    let (_, failed) = get(&s, "/imagemgmt/v1/image-copies?search=status+%24eq+IMPORT_FAILED_TIMEOUT", &t).await;
    let f = &failed["content"][0];
    assert_eq!(f["errorCode"], "IMPORT_FAILED_TIMEOUT");
    assert_eq!(f["errorsHistory"][0]["code"], "IMPORT_FAILED_TIMEOUT");

    let (_, markers) =
        get(&s, &format!("/imagemgmt/v1/images/{IMG_SIG}/markers?search=versionId+%24eq+{VER_SIG_11}"), &t).await;
    assert_eq!(markers["totalElements"], 1);
    assert_eq!(markers["content"][0]["name"], "default");
    assert_error(
        &get(&s, &format!("/imagemgmt/v1/images/{IMG_SIG}/markers/nope"), &t).await,
        404,
        "MARKER_NOT_FOUND",
        "nope",
    );
    let (_, published) = get(&s, &format!("/imagemgmt/v1/images/{IMG_PUBLISHED}"), &t).await;
    assert_eq!(published["markers"][0]["templateCount"], 2);
}
