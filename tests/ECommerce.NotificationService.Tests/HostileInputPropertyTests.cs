using CsCheck;
using ECommerce.Testing;

namespace ECommerce.NotificationService.Tests;

/// <summary>Generated route and query values against the running service (<see cref="HostileRequests"/>).</summary>
public sealed class HostileInputPropertyTests(NotificationServiceFixture fixture) : IClassFixture<NotificationServiceFixture>
{
    [Fact]
    public Task Any_list_of_notifications_is_answered_below_500_with_a_problem_document_for_a_4xx() =>
        HostileRequests.GetsAreAnsweredBelow500Async(fixture.Client, HostileRequests.Values.Select(value => $"/notifications?orderId={value}"));
}
