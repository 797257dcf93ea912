using ECommerce.Messaging.Persistence;

namespace ECommerce.PaymentService.Persistence;

internal sealed class DesignTimeDbContextFactory() : DesignTimeServiceDbContextFactory<PaymentsDbContext>("paymentsdb");
