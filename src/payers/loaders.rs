//! Dataloaders of the payer CRM's nested objects.

crate::graphql::loader::by_id_loaders! {
    /// Teachers by id.
    TeacherLoader = teacher by Id;
    /// Students by id.
    StudentLoader = student by Id;
}
