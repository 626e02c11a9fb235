//! The S3-compatible storage backend against a real S3 server (moto, started by
//! `scripts/s3-test-server`; CI always starts it).

use opsgraph::{
    error::AppError,
    storage::{s3::S3, Storage},
};

#[tokio::test]
async fn s3_backend_puts_gets_and_copies_on_a_real_server() {
    let Some(endpoint) = crate::common::test_server("TEST_S3_ENDPOINT") else {
        eprintln!("TEST_S3_ENDPOINT is not set: start one with scripts/s3-test-server");
        return;
    };
    let s3 = S3::new(&endpoint, "us-east-1", "testing", "testing").unwrap();
    let (public, private) = (
        format!("pub-{}", std::process::id()),
        format!("priv-{}", std::process::id()),
    );
    s3.create_bucket(&public).await.unwrap();
    s3.create_bucket(&private).await.unwrap();
    let key = "reports/集微 报告.pdf";
    s3.put(&public, key, b"%PDF-1.4 s3".to_vec()).await.unwrap();
    assert_eq!(
        s3.get(&public, key).await.unwrap(),
        Some(b"%PDF-1.4 s3".to_vec())
    );
    assert_eq!(s3.get(&private, key).await.unwrap(), None);
    s3.copy(&public, key, &private).await.unwrap();
    assert_eq!(
        s3.get(&private, key).await.unwrap(),
        Some(b"%PDF-1.4 s3".to_vec())
    );
    assert!(matches!(
        s3.copy(&public, "missing.pdf", &private).await,
        Err(AppError::NotFound(_))
    ));
    assert!(
        s3.get(&public, "../escape").await.is_err(),
        "keys stay inside the bucket"
    );
}
