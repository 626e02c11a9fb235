//! Dataloaders of the payer CRM's nested objects.

use entity::{student, teacher};
use sea_orm::DatabaseConnection;

use crate::graphql::loader::{cached, ByIdLoader};

/// Teachers by id.
pub type TeacherLoader = ByIdLoader<teacher::Entity>;
/// Students by id.
pub type StudentLoader = ByIdLoader<student::Entity>;

/// Adds this domain's loaders to one request.
pub fn attach(request: async_graphql::Request, db: &DatabaseConnection) -> async_graphql::Request {
    request
        .data(cached(TeacherLoader::new(db, teacher::Column::Id)))
        .data(cached(StudentLoader::new(db, student::Column::Id)))
}
