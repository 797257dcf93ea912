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
}
