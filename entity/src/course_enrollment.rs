//! The `course_enrollment` table.

use sea_orm::entity::prelude::*;

/// One row of `course_enrollment`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "course_enrollment")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_info_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub course_id: i32,
}

/// Relations are resolved by the GraphQL dataloaders, not by joins.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
