/*
 * Props drift check (type-only: `npm run typecheck` compiles it with vue-tsc, nothing imports it).
 *
 * Each entry pairs a controller method with the page it renders and fails to compile when the props
 * the controller serves (`InferPageProps`: the render call's props after JSON serialization, plus
 * the shared props) no longer satisfy the props the page declares. A dropped or renamed prop is then
 * a type error naming the page and the prop, not a blank cell in the browser. The page side is read
 * from the compiled component, so pages declaring their props inline are held to it as well.
 *
 * Add an entry with every new `inertia.render`. A method that renders two pages (imports/show also
 * renders errors/not_found) is read with `EachRender`: `InferPageProps` of two renders keeps only
 * the props both share (none). The insights views (app/insights/pages.ts) render through one
 * helper generic in its props, so their methods are listed like any other.
 */
import type { InferPageProps, PageObject, SharedProps } from '@adonisjs/inertia/types'
import type AccountingExportsController from '#controllers/accounting_exports_controller'
import type AccountingSettingsController from '#controllers/accounting_settings_controller'
import type AgedDebtController from '#controllers/aged_debt_controller'
import type AllocationController from '#controllers/allocation_controller'
import type TokensPageController from '#controllers/api/tokens_page_controller'
import type AuditLogsController from '#controllers/audit_logs_controller'
import type BankStatementsController from '#controllers/bank_statements_controller'
import type BillingRunsController from '#controllers/billing_runs_controller'
import type BrandingController from '#controllers/branding_controller'
import type ConnectorsController from '#controllers/connectors_controller'
import type CustomerAccountsController from '#controllers/customer_accounts_controller'
import type CustomerInvoicesController from '#controllers/customer_invoices_controller'
import type CustomersController from '#controllers/customers_controller'
import type DashboardController from '#controllers/dashboard_controller'
import type DeliveriesController from '#controllers/deliveries_controller'
import type DepartmentsController from '#controllers/departments_controller'
import type DunningController from '#controllers/dunning_controller'
import type EInvoiceCustomersController from '#controllers/einvoice_customers_controller'
import type EInvoiceSellerController from '#controllers/einvoice_seller_controller'
import type EmployeesController from '#controllers/employees_controller'
import type ExceptionsController from '#controllers/exceptions_controller'
import type ImportsController from '#controllers/imports_controller'
import type InsightsController from '#controllers/insights_controller'
import type InvoicesController from '#controllers/invoices_controller'
import type JobsController from '#controllers/jobs_controller'
import type MappingProfilesController from '#controllers/mapping_profiles_controller'
import type PaymentsController from '#controllers/payments_controller'
import type PortalAdminController from '#controllers/portal_admin_controller'
import type PortalController from '#controllers/portal_controller'
import type PortalInviteController from '#controllers/portal_invite_controller'
import type ReconciliationController from '#controllers/reconciliation_controller'
import type RecurringChargesController from '#controllers/recurring_charges_controller'
import type ReratesController from '#controllers/rerates_controller'
import type ServicesController from '#controllers/services_controller'
import type SettingsController from '#controllers/settings_controller'
import type StaffImportsController from '#controllers/staff_imports_controller'
import type TariffsController from '#controllers/tariffs_controller'
import type UnallocatedController from '#controllers/unallocated_controller'
import type UnknownServicesController from '#controllers/unknown_services_controller'
import type UsersController from '#controllers/users_controller'
import type WebhooksController from '#controllers/webhooks_controller'
import type AccountingExportPage from '~/pages/accounting/export.vue'
import type AccountingSettingsPage from '~/pages/accounting/settings.vue'
import type AllocationShowPage from '~/pages/allocation/show.vue'
import type ApiTokensPage from '~/pages/api/tokens.vue'
import type AuditIndexPage from '~/pages/audit/index.vue'
import type BillingGuardsPage from '~/pages/billing/guards.vue'
import type BillingIndexPage from '~/pages/billing/index.vue'
import type BillingNewPage from '~/pages/billing/new.vue'
import type BillingShowPage from '~/pages/billing/show.vue'
import type ConnectorsFormPage from '~/pages/connectors/form.vue'
import type ConnectorsIndexPage from '~/pages/connectors/index.vue'
import type ConnectorsProfileFormPage from '~/pages/connectors/profile_form.vue'
import type ConnectorsProfilesPage from '~/pages/connectors/profiles.vue'
import type ConnectorsShowPage from '~/pages/connectors/show.vue'
import type CustomersFormPage from '~/pages/customers/form.vue'
import type CustomersIndexPage from '~/pages/customers/index.vue'
import type CustomersShowPage from '~/pages/customers/show.vue'
import type DashboardShowPage from '~/pages/dashboard/show.vue'
import type DeliveriesIndexPage from '~/pages/deliveries/index.vue'
import type EinvoiceAddressReviewPage from '~/pages/einvoice/address_review.vue'
import type EinvoiceCustomerPage from '~/pages/einvoice/customer.vue'
import type EinvoiceSellerPage from '~/pages/einvoice/seller.vue'
import type EmployeesDepartmentsPage from '~/pages/employees/departments.vue'
import type EmployeesImportPage from '~/pages/employees/import.vue'
import type EmployeesIndexPage from '~/pages/employees/index.vue'
import type EmployeesShowPage from '~/pages/employees/show.vue'
import type ExceptionsIndexPage from '~/pages/exceptions/index.vue'
import type ImportsIndexPage from '~/pages/imports/index.vue'
import type ImportsShowPage from '~/pages/imports/show.vue'
import type InsightsAnomaliesPage from '~/pages/insights/anomalies.vue'
import type InsightsDashboardPage from '~/pages/insights/dashboard.vue'
import type InsightsEmployeePage from '~/pages/insights/employee.vue'
import type InsightsEmployeesPage from '~/pages/insights/employees.vue'
import type InsightsIndexPage from '~/pages/insights/index.vue'
import type InsightsMarginPage from '~/pages/insights/margin.vue'
import type InsightsPortalAdminPage from '~/pages/insights/portal_admin.vue'
import type InsightsWastePage from '~/pages/insights/waste.vue'
import type InvoicesIndexPage from '~/pages/invoices/index.vue'
import type InvoicesShowPage from '~/pages/invoices/show.vue'
import type JobsIndexPage from '~/pages/jobs/index.vue'
import type PaymentsAccountPage from '~/pages/payments/account.vue'
import type PaymentsAgedCustomerPage from '~/pages/payments/aged_customer.vue'
import type PaymentsAgedDebtPage from '~/pages/payments/aged_debt.vue'
import type PaymentsDunningPage from '~/pages/payments/dunning.vue'
import type PaymentsIndexPage from '~/pages/payments/index.vue'
import type PaymentsLinePage from '~/pages/payments/line.vue'
import type PaymentsNewPage from '~/pages/payments/new.vue'
import type PaymentsShowPage from '~/pages/payments/show.vue'
import type PaymentsStatementImportPage from '~/pages/payments/statement_import.vue'
import type PaymentsStatementsPage from '~/pages/payments/statements.vue'
import type PaymentsUnmatchedPage from '~/pages/payments/unmatched.vue'
import type PortalDashboardPage from '~/pages/portal/dashboard.vue'
import type PortalEmployeePage from '~/pages/portal/employee.vue'
import type PortalEmployeesPage from '~/pages/portal/employees.vue'
import type PortalInvitePage from '~/pages/portal/invite.vue'
import type PortalInvoicesPage from '~/pages/portal/invoices.vue'
import type ReconciliationShowPage from '~/pages/reconciliation/show.vue'
import type RecurringChargesIndexPage from '~/pages/recurring_charges/index.vue'
import type ReratesIndexPage from '~/pages/rerates/index.vue'
import type ReratesShowPage from '~/pages/rerates/show.vue'
import type ServicesIndexPage from '~/pages/services/index.vue'
import type ServicesShowPage from '~/pages/services/show.vue'
import type SettingsBrandingPage from '~/pages/settings/branding.vue'
import type SettingsIndexPage from '~/pages/settings/index.vue'
import type TariffsIndexPage from '~/pages/tariffs/index.vue'
import type TariffsPreviewPage from '~/pages/tariffs/preview.vue'
import type TariffsShowPage from '~/pages/tariffs/show.vue'
import type UnallocatedIndexPage from '~/pages/unallocated/index.vue'
import type UnallocatedOverviewPage from '~/pages/unallocated/overview.vue'
import type UnknownServicesIndexPage from '~/pages/unknown_services/index.vue'
import type UsersIndexPage from '~/pages/users/index.vue'
import type WebhooksIndexPage from '~/pages/webhooks/index.vue'
import type WebhooksShowPage from '~/pages/webhooks/show.vue'

type PagePropsOf<Page> = Page extends abstract new (...args: never[]) => { $props: infer P }
  ? P
  : never

type RequiredKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? never : K }[keyof T]

/**
 * A method that renders an error page on one branch (`render('errors/not_found', {})`) serves a
 * union; the member without props is not the page under check.
 */
type Rendered<Served> = Served extends unknown
  ? Exclude<keyof Served, keyof SharedProps> extends never
    ? never
    : Served
  : never

type IsAny<T> = 0 extends 1 & T ? true : false

/**
 * `InferPageProps` of each page a method renders, one union member per render (`InferPageProps`
 * itself merges the renders into the props they all share).
 */
type EachRender<Controller, Method extends keyof Controller> = Controller[Method] extends (
  ...args: never[]
) => infer Result
  ? Extract<Awaited<Result>, PageObject> extends infer Page
    ? Page extends PageObject
      ? InferPageProps<{ render: () => Promise<Page> }, 'render'>
      : never
    : never
  : never

/** `true`, or a message naming the props the controller no longer serves (or serves mistyped). */
type Serves<Served, Page> =
  IsAny<Served> extends true
    ? 'the controller serves untyped props'
    : [Rendered<Served>] extends [never]
      ? 'the controller method renders no page with props'
      : Rendered<Served> extends PagePropsOf<Page>
        ? true
        : {
            missing: Exclude<RequiredKeys<PagePropsOf<Page>>, keyof Rendered<Served>>
            mistyped: {
              [
                K in keyof Rendered<Served> & keyof PagePropsOf<Page>
              ]: Rendered<Served>[K] extends PagePropsOf<Page>[K] ? never : K
            }[keyof Rendered<Served> & keyof PagePropsOf<Page>]
          }

type Check<T extends true> = T

export type PagePropsChecks = [
  Check<Serves<InferPageProps<AccountingExportsController, 'index'>, typeof AccountingExportPage>>,
  Check<
    Serves<InferPageProps<AccountingSettingsController, 'show'>, typeof AccountingSettingsPage>
  >,
  Check<Serves<InferPageProps<AgedDebtController, 'index'>, typeof PaymentsAgedDebtPage>>,
  Check<Serves<InferPageProps<AgedDebtController, 'customer'>, typeof PaymentsAgedCustomerPage>>,
  Check<Serves<InferPageProps<AllocationController, 'show'>, typeof AllocationShowPage>>,
  Check<Serves<InferPageProps<AuditLogsController, 'index'>, typeof AuditIndexPage>>,
  Check<Serves<InferPageProps<BankStatementsController, 'index'>, typeof PaymentsStatementsPage>>,
  Check<
    Serves<InferPageProps<BankStatementsController, 'show'>, typeof PaymentsStatementImportPage>
  >,
  Check<
    Serves<InferPageProps<BankStatementsController, 'unmatched'>, typeof PaymentsUnmatchedPage>
  >,
  Check<Serves<InferPageProps<BankStatementsController, 'line'>, typeof PaymentsLinePage>>,
  Check<Serves<InferPageProps<BillingRunsController, 'index'>, typeof BillingIndexPage>>,
  Check<Serves<InferPageProps<BillingRunsController, 'create'>, typeof BillingNewPage>>,
  Check<Serves<InferPageProps<BillingRunsController, 'show'>, typeof BillingShowPage>>,
  Check<Serves<InferPageProps<BillingRunsController, 'guards'>, typeof BillingGuardsPage>>,
  Check<Serves<InferPageProps<BrandingController, 'show'>, typeof SettingsBrandingPage>>,
  Check<Serves<InferPageProps<ConnectorsController, 'index'>, typeof ConnectorsIndexPage>>,
  Check<Serves<InferPageProps<ConnectorsController, 'show'>, typeof ConnectorsShowPage>>,
  Check<Serves<InferPageProps<ConnectorsController, 'create'>, typeof ConnectorsFormPage>>,
  Check<Serves<InferPageProps<ConnectorsController, 'edit'>, typeof ConnectorsFormPage>>,
  Check<Serves<InferPageProps<CustomerAccountsController, 'show'>, typeof PaymentsAccountPage>>,
  Check<Serves<InferPageProps<CustomerInvoicesController, 'index'>, typeof InvoicesIndexPage>>,
  Check<Serves<InferPageProps<CustomersController, 'index'>, typeof CustomersIndexPage>>,
  Check<Serves<InferPageProps<CustomersController, 'create'>, typeof CustomersFormPage>>,
  Check<Serves<InferPageProps<CustomersController, 'show'>, typeof CustomersShowPage>>,
  Check<Serves<InferPageProps<CustomersController, 'edit'>, typeof CustomersFormPage>>,
  Check<Serves<InferPageProps<DashboardController, 'show'>, typeof DashboardShowPage>>,
  Check<Serves<InferPageProps<DeliveriesController, 'index'>, typeof DeliveriesIndexPage>>,
  Check<Serves<InferPageProps<DepartmentsController, 'index'>, typeof EmployeesDepartmentsPage>>,
  Check<Serves<InferPageProps<DunningController, 'index'>, typeof PaymentsDunningPage>>,
  Check<Serves<InferPageProps<EInvoiceCustomersController, 'show'>, typeof EinvoiceCustomerPage>>,
  Check<
    Serves<InferPageProps<EInvoiceCustomersController, 'review'>, typeof EinvoiceAddressReviewPage>
  >,
  Check<Serves<InferPageProps<EInvoiceSellerController, 'show'>, typeof EinvoiceSellerPage>>,
  Check<Serves<InferPageProps<EmployeesController, 'index'>, typeof EmployeesIndexPage>>,
  Check<Serves<InferPageProps<EmployeesController, 'show'>, typeof EmployeesShowPage>>,
  Check<Serves<InferPageProps<ExceptionsController, 'index'>, typeof ExceptionsIndexPage>>,
  Check<Serves<InferPageProps<ImportsController, 'index'>, typeof ImportsIndexPage>>,
  Check<Serves<EachRender<ImportsController, 'show'>, typeof ImportsShowPage>>,
  Check<Serves<InferPageProps<InsightsController, 'index'>, typeof InsightsIndexPage>>,
  Check<Serves<InferPageProps<InsightsController, 'show'>, typeof InsightsDashboardPage>>,
  Check<Serves<InferPageProps<InsightsController, 'employees'>, typeof InsightsEmployeesPage>>,
  Check<Serves<InferPageProps<InsightsController, 'employee'>, typeof InsightsEmployeePage>>,
  Check<Serves<InferPageProps<InsightsController, 'margin'>, typeof InsightsMarginPage>>,
  Check<Serves<InferPageProps<InsightsController, 'waste'>, typeof InsightsWastePage>>,
  Check<Serves<InferPageProps<InsightsController, 'anomalies'>, typeof InsightsAnomaliesPage>>,
  Check<Serves<InferPageProps<InvoicesController, 'show'>, typeof InvoicesShowPage>>,
  Check<Serves<InferPageProps<JobsController, 'index'>, typeof JobsIndexPage>>,
  Check<Serves<InferPageProps<MappingProfilesController, 'index'>, typeof ConnectorsProfilesPage>>,
  Check<
    Serves<InferPageProps<MappingProfilesController, 'create'>, typeof ConnectorsProfileFormPage>
  >,
  Check<
    Serves<InferPageProps<MappingProfilesController, 'edit'>, typeof ConnectorsProfileFormPage>
  >,
  Check<Serves<InferPageProps<PaymentsController, 'index'>, typeof PaymentsIndexPage>>,
  Check<Serves<InferPageProps<PaymentsController, 'create'>, typeof PaymentsNewPage>>,
  Check<Serves<InferPageProps<PaymentsController, 'show'>, typeof PaymentsShowPage>>,
  Check<Serves<InferPageProps<PortalAdminController, 'show'>, typeof InsightsPortalAdminPage>>,
  Check<Serves<InferPageProps<PortalController, 'dashboard'>, typeof PortalDashboardPage>>,
  Check<Serves<InferPageProps<PortalController, 'employees'>, typeof PortalEmployeesPage>>,
  Check<Serves<InferPageProps<PortalController, 'employee'>, typeof PortalEmployeePage>>,
  Check<Serves<InferPageProps<PortalController, 'invoices'>, typeof PortalInvoicesPage>>,
  Check<Serves<InferPageProps<PortalInviteController, 'show'>, typeof PortalInvitePage>>,
  Check<Serves<InferPageProps<ReconciliationController, 'show'>, typeof ReconciliationShowPage>>,
  Check<
    Serves<InferPageProps<RecurringChargesController, 'index'>, typeof RecurringChargesIndexPage>
  >,
  Check<Serves<InferPageProps<ReratesController, 'index'>, typeof ReratesIndexPage>>,
  Check<Serves<InferPageProps<ReratesController, 'show'>, typeof ReratesShowPage>>,
  Check<Serves<InferPageProps<ServicesController, 'index'>, typeof ServicesIndexPage>>,
  Check<Serves<InferPageProps<ServicesController, 'show'>, typeof ServicesShowPage>>,
  Check<Serves<InferPageProps<SettingsController, 'show'>, typeof SettingsIndexPage>>,
  Check<Serves<InferPageProps<StaffImportsController, 'show'>, typeof EmployeesImportPage>>,
  Check<Serves<InferPageProps<StaffImportsController, 'preview'>, typeof EmployeesImportPage>>,
  Check<Serves<InferPageProps<TariffsController, 'index'>, typeof TariffsIndexPage>>,
  Check<Serves<InferPageProps<TariffsController, 'show'>, typeof TariffsShowPage>>,
  Check<Serves<InferPageProps<TariffsController, 'upload'>, typeof TariffsPreviewPage>>,
  Check<Serves<InferPageProps<UnallocatedController, 'overview'>, typeof UnallocatedOverviewPage>>,
  Check<Serves<InferPageProps<UnallocatedController, 'index'>, typeof UnallocatedIndexPage>>,
  Check<
    Serves<InferPageProps<UnknownServicesController, 'index'>, typeof UnknownServicesIndexPage>
  >,
  Check<Serves<InferPageProps<TokensPageController, 'index'>, typeof ApiTokensPage>>,
  Check<Serves<InferPageProps<UsersController, 'index'>, typeof UsersIndexPage>>,
  Check<Serves<InferPageProps<WebhooksController, 'index'>, typeof WebhooksIndexPage>>,
  Check<Serves<InferPageProps<WebhooksController, 'show'>, typeof WebhooksShowPage>>,
]
