using System.Text.Json.Serialization;

namespace HomeService.Functions.Infrastructure.Http;

/// <summary>
/// Serialization metadata generated at build time for the API's request bodies and the health report. The request
/// delegates resolve a body's metadata when the endpoint table is built (start-up), and reflection-built metadata cost
/// ~0.2 s of CPU there (property discovery, emitted accessors JIT-compiled one by one). This context sits first in the
/// API's resolver chain (<see cref="AppSetup"/>); it adds no options of its own, so the API's options (camelCase, enums
/// as camelCase strings, <see cref="OffsetRequiredDateTimeOffsetConverter"/>, nulls omitted) apply as before, and any type
/// not listed here is still served by the reflection resolver behind it. Left out on purpose: a body whose init-only
/// properties have initializers (generated metadata would read a missing one as null, not as its initializer), i.e.
/// <see cref="HomeService.Functions.Scheduling.CitySettingsDocument"/>; ApiJsonContextTests checks every other JSON body
/// of the endpoint table is listed and reads as by reflection.
/// </summary>
[JsonSerializable(typeof(HomeService.Functions.Auth.SendSmsCodeRequest))]
[JsonSerializable(typeof(HomeService.Functions.Auth.SmsLoginRequest))]
[JsonSerializable(typeof(HomeService.Functions.Auth.WeChatLoginRequest))]
[JsonSerializable(typeof(HomeService.Functions.Booking.BookingRequest))]
[JsonSerializable(typeof(HomeService.Functions.Booking.CancelRequest))]
[JsonSerializable(typeof(HomeService.Functions.Booking.RecurringBookingRequest))]
[JsonSerializable(typeof(HomeService.Functions.Booking.RescheduleRequest))]
[JsonSerializable(typeof(HomeService.Functions.Catalog.CategoryRequest))]
[JsonSerializable(typeof(HomeService.Functions.Catalog.CityRequest))]
[JsonSerializable(typeof(HomeService.Functions.Catalog.ItemRequest))]
[JsonSerializable(typeof(HomeService.Functions.Catalog.PackageRequest))]
[JsonSerializable(typeof(HomeService.Functions.Customers.AddressRequest))]
[JsonSerializable(typeof(HomeService.Functions.Customers.UpdateProfileRequest))]
[JsonSerializable(typeof(HomeService.Functions.Dispatch.AfterSaleRequest))]
[JsonSerializable(typeof(HomeService.Functions.Dispatch.AssignRequest))]
[JsonSerializable(typeof(HomeService.Functions.Dispatch.CompleteRequest))]
[JsonSerializable(typeof(HomeService.Functions.Dispatch.LocationRequest))]
[JsonSerializable(typeof(HomeService.Functions.Dispatch.ReassignRequest))]
[JsonSerializable(typeof(HomeService.Functions.Dispatch.RejectRequest))]
[JsonSerializable(typeof(HomeService.Functions.Dispatch.VisitExemptionRequest))]
[JsonSerializable(typeof(HomeService.Functions.Merchants.JoinMerchantRequest))]
[JsonSerializable(typeof(HomeService.Functions.Merchants.MerchantRequest))]
[JsonSerializable(typeof(HomeService.Functions.Money.AddBankCardRequest))]
[JsonSerializable(typeof(HomeService.Functions.Money.RejectWithdrawalRequest))]
[JsonSerializable(typeof(HomeService.Functions.Money.WithdrawalRequest))]
[JsonSerializable(typeof(HomeService.Functions.Payments.Sandbox.SandboxPaymentRequest))]
[JsonSerializable(typeof(HomeService.Functions.Reviews.ReviewRequest))]
[JsonSerializable(typeof(HomeService.Functions.Scheduling.ExceptionsRequest))]
[JsonSerializable(typeof(HomeService.Functions.Scheduling.PlanRequest))]
[JsonSerializable(typeof(HomeService.Functions.Uploads.CreateUploadRequest))]
[JsonSerializable(typeof(HomeService.Functions.Workers.AcceptingRequest))]
[JsonSerializable(typeof(HomeService.Functions.Workers.AuditReasonRequest))]
[JsonSerializable(typeof(HomeService.Functions.Workers.WorkerProfileRequest))]
[JsonSerializable(typeof(HomeService.Functions.Money.CommissionSettings))]
[JsonSerializable(typeof(HomeService.Functions.Money.WithdrawalSettings))]
[JsonSerializable(typeof(HomeService.Functions.Health.HealthReport))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
