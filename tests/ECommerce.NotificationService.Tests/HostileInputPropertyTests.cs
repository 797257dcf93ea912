using ECommerce.Contracts;
using CsCheck;
using ECommerce.Testing;

namespace ECommerce.NotificationService.Tests;

/// <summary>Generated route and query values against the running service (<see cref="HostileRequests"/>).</summary>
public sealed class HostileInputPropertyTests(NotificationServiceFixture fixture) : IClassFixture<NotificationServiceFixture>
{
    [Fact]
    public Task Any_list_of_notifications_is_answered_below_500_with_a_problem_document_for_a_4xx() =>
        HostileRequests.GetsAreAnsweredBelow500Async(fixture.Client, HostileRequests.Values.Select(value => $"/notifications?orderId={value}"));

    [Fact]
    public Task Broken_order_created_events_go_to_the_error_queue_and_leave_nothing_behind() =>
        BrokenEvents.GoToTheErrorQueueAndLeaveNothingBehindAsync(
            fixture,
            Topology.Queues.NotificationOrderCreated,
            NewOrderCreated(),
            () => Task.FromResult<IOrderEvent>(NewOrderCreated()));

    private static OrderCreated NewOrderCreated() =>
        new(Guid.NewGuid(), Guid.NewGuid(), "CUST123", "customer@example.com", [new OrderLine("PROD123", 1, 29.99m)], 29.99m, DateTimeOffset.UtcNow);

    [Fact]
    public Task Broken_payment_succeeded_events_go_to_the_error_queue_and_leave_nothing_behind() =>
        BrokenEvents.GoToTheErrorQueueAndLeaveNothingBehindAsync(
            fixture,
            Topology.Queues.NotificationPaymentProcessed,
            Paid(),
            () => Task.FromResult<IOrderEvent>(Paid()));

    [Fact]
    public Task Broken_shipment_created_events_go_to_the_error_queue_and_leave_nothing_behind() =>
        BrokenEvents.GoToTheErrorQueueAndLeaveNothingBehindAsync(
            fixture,
            Topology.Queues.NotificationFulfilment,
            Shipped(),
            () => Task.FromResult<IOrderEvent>(Shipped()));

    private static PaymentSucceeded Paid() =>
        new(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), 29.99m, "customer@example.com", [new OrderLine("PROD123", 1, 29.99m)], DateTimeOffset.UtcNow);

    private static ShipmentCreated Shipped() =>
        new(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), "customer@example.com", "SimShip", "TRK0123456789", 1, DateTimeOffset.UtcNow);
}
