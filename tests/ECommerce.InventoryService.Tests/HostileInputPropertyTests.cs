using ECommerce.Contracts;
using CsCheck;
using ECommerce.Testing;

namespace ECommerce.InventoryService.Tests;

/// <summary>Generated route and query values against the running service (<see cref="HostileRequests"/>).</summary>
public sealed class HostileInputPropertyTests(InventoryServiceFixture fixture) : IClassFixture<InventoryServiceFixture>
{
    [Fact]
    public Task Any_GET_of_a_product_is_answered_below_500_with_a_problem_document_for_a_4xx() =>
        HostileRequests.GetsAreAnsweredBelow500Async(fixture.Client, HostileRequests.Values.Select(value => $"/products/{value}"));

    [Fact]
    public Task Any_GET_of_a_reservation_is_answered_below_500_with_a_problem_document_for_a_4xx() =>
        HostileRequests.GetsAreAnsweredBelow500Async(fixture.Client, HostileRequests.Values.Select(value => $"/reservations/{value}"));

    [Fact]
    public Task Broken_payment_succeeded_events_go_to_the_error_queue_and_leave_nothing_behind() =>
        BrokenEvents.GoToTheErrorQueueAndLeaveNothingBehindAsync(
            fixture,
            Topology.Queues.InventoryPaymentSucceeded,
            InventoryServiceFixture.NewPayment(new OrderLine("PROD123", 1, 29.99m)),
            () => Task.FromResult<IOrderEvent>(InventoryServiceFixture.NewPayment(new OrderLine("PROD123", 1, 29.99m))));

    [Fact]
    public Task Broken_shipment_cancelled_events_go_to_the_error_queue_and_leave_nothing_behind() =>
        BrokenEvents.GoToTheErrorQueueAndLeaveNothingBehindAsync(
            fixture,
            Topology.Queues.InventoryCompensation,
            Cancellation(),
            () => Task.FromResult<IOrderEvent>(Cancellation()));

    /// <summary>Of an order without a reservation: the good one is handled and releases nothing.</summary>
    private static ShipmentCancelled Cancellation() =>
        new(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), "customer@example.com", "Cancelled by an operator: carrier gone", DateTimeOffset.UtcNow);
}
