using ECommerce.Contracts;
using CsCheck;
using ECommerce.Testing;

namespace ECommerce.PaymentService.Tests;

/// <summary>Generated route and query values against the running service (<see cref="HostileRequests"/>).</summary>
public sealed class HostileInputPropertyTests(PaymentServiceFixture fixture) : IClassFixture<PaymentServiceFixture>
{
    [Fact]
    public Task Any_GET_of_a_payment_is_answered_below_500_with_a_problem_document_for_a_4xx() =>
        HostileRequests.GetsAreAnsweredBelow500Async(fixture.Client, HostileRequests.Values.Select(value => $"/payments/{value}"));

    [Fact]
    public Task Broken_order_created_events_go_to_the_error_queue_and_leave_nothing_behind() =>
        BrokenEvents.GoToTheErrorQueueAndLeaveNothingBehindAsync(
            fixture,
            Topology.Queues.PaymentOrderCreated,
            PaymentServiceFixture.NewOrder(),
            () => Task.FromResult<IOrderEvent>(PaymentServiceFixture.NewOrder()));

    [Fact]
    public Task Broken_stock_insufficient_events_go_to_the_error_queue_and_leave_nothing_behind() =>
        BrokenEvents.GoToTheErrorQueueAndLeaveNothingBehindAsync(
            fixture,
            Topology.Queues.PaymentCompensation,
            Shortage(),
            () => Task.FromResult<IOrderEvent>(Shortage()));

    [Fact]
    public Task Broken_shipment_cancelled_events_go_to_the_error_queue_and_leave_nothing_behind() =>
        BrokenEvents.GoToTheErrorQueueAndLeaveNothingBehindAsync(
            fixture,
            Topology.Queues.PaymentCompensation,
            Cancellation(),
            () => Task.FromResult<IOrderEvent>(Cancellation()));

    private static ShipmentCancelled Cancellation() =>
        new(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), "customer@example.com", "Cancelled by an operator: carrier gone", DateTimeOffset.UtcNow);

    /// <summary>Of an order without a payment: the good one is handled and refunds nothing.</summary>
    private static StockInsufficient Shortage() =>
        new(Guid.NewGuid(), Guid.NewGuid(), "customer@example.com", [new StockShortfall("PROD-LIMITED", 6, 5)], DateTimeOffset.UtcNow);
}
