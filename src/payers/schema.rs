//! GraphQL fields of the payer CRM. Each names the legacy URL that runs it.

use async_graphql::{Context, Object, ResultExt};

use entity::{student, teacher, user_info, user_info::Column as C};

use super::{
    loaders::{StudentLoader, TeacherLoader},
    service,
    types::{
        CreateVisitRecordInput, Payer, PayerFilter, PayerPage, UpdatePayerInput, VisitRecord,
        VisitRecordPage,
    },
};
use crate::{
    auth::{caller, Permission},
    graphql::{
        joins::{feed, Joins},
        loader::Cached,
        page::{PageArgs, MAX_PAGE_SIZE},
        row::{self, Inline},
        state,
    },
};

/// Payer CRM queries.
#[derive(Default)]
pub struct PayersQuery;

#[Object]
impl PayersQuery {
    /// Paid users, newest first (legacy: `GET /server/userinfo/payer_list/`).
    #[graphql(guard = "Permission::PayerList")]
    async fn payers(
        &self,
        ctx: &Context<'_>,
        filter: Option<PayerFilter>,
        #[graphql(desc = "Page number, from 1.")] page: Option<i32>,
        #[graphql(desc = "Rows per page (default 10, capped at 100).")] page_size: Option<i32>,
    ) -> async_graphql::Result<PayerPage> {
        let args = PageArgs::new(page, page_size, MAX_PAGE_SIZE).extend()?;
        let filter = filter.unwrap_or_default();
        // The columns, teachers and students the page selects are read with it, in one
        // statement; the total is counted only when asked for.
        let selection = ctx.look_ahead();
        let items = selection.field("items");
        let mut joins = Joins::counting_if(selection.field("totalCount").exists());
        joins.only(row::columns::<user_info::Model>(Payer::READS, &items));
        if items.field("teacher").exists() {
            joins.add::<teacher::Entity>(TEACHER, C::TeacherId, teacher::Column::Id);
        }
        if items.field("student").exists() {
            joins.add::<student::Entity>(STUDENT, C::StudentId, student::Column::Id);
        }
        let st = state(ctx);
        let (total, rows) = service::list_payers(&st.db, &st.counts, &filter, args, &joins)
            .await
            .extend()?;
        let teachers = ctx.data::<Cached<TeacherLoader>>()?;
        let page = (&joins, rows.as_slice());
        feed(teachers, page, TEACHER, |p| p.teacher_id)
            .await
            .extend()?;
        let students = ctx.data::<Cached<StudentLoader>>()?;
        feed(students, page, STUDENT, |p| p.student_id)
            .await
            .extend()?;
        Ok(PayerPage::new(
            args,
            total,
            rows.into_iter().map(|r| Inline(Payer(r.model))),
        ))
    }

    /// Visit records of one contact, newest first
    /// (legacy: `GET /server/userinfo/visit_records/`).
    #[graphql(guard = "Permission::VisitRecordList")]
    async fn visit_records(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(chars_max_length = 200))] contact: String,
        page: Option<i32>,
        page_size: Option<i32>,
    ) -> async_graphql::Result<VisitRecordPage> {
        let args = PageArgs::new(page, page_size, MAX_PAGE_SIZE).extend()?;
        let (total, rows) =
            service::list_visit_records(&state(ctx).db, &state(ctx).counts, &contact, args)
                .await
                .extend()?;
        Ok(VisitRecordPage::new(
            args,
            total,
            rows.into_iter().map(VisitRecord),
        ))
    }
}

/// The names a payer page joins its teacher and student under.
const TEACHER: &str = "teacher__";
const STUDENT: &str = "student__";

/// Payer CRM mutations.
#[derive(Default)]
pub struct PayersMutation;

#[Object]
impl PayersMutation {
    /// Changes a paid user's follow-up fields (legacy: `POST /server/userinfo/payer_update/`).
    #[graphql(guard = "Permission::PayerUpdate")]
    async fn update_payer(
        &self,
        ctx: &Context<'_>,
        input: UpdatePayerInput,
    ) -> async_graphql::Result<Payer> {
        service::update_payer(&state(ctx).db, caller(ctx), input)
            .await
            .map(Payer)
            .extend()
    }

    /// Records a visit (legacy: `POST /server/userinfo/visit_record_create/`).
    #[graphql(guard = "Permission::VisitRecordCreate")]
    async fn create_visit_record(
        &self,
        ctx: &Context<'_>,
        input: CreateVisitRecordInput,
    ) -> async_graphql::Result<VisitRecord> {
        service::create_visit_record(&state(ctx).db, caller(ctx), input)
            .await
            .map(VisitRecord)
            .extend()
    }
}
