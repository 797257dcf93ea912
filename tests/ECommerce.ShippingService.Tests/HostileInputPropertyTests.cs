using CsCheck;
using ECommerce.Contracts;
using ECommerce.Messaging.DeadLetters;
using ECommerce.Testing;
using Microsoft.Extensions.Hosting;

namespace ECommerce.ShippingService.Tests;

/// <summary>Generated route and query values against the running service (<see cref="HostileRequests"/>).</summary>
public sealed class HostileInputPropertyTests(ShippingServiceFixture fixture) : IClassFixture<ShippingServiceFixture>
{
    [Fact]
    public Task Any_GET_of_a_shipment_is_answered_below_500_with_a_problem_document_for_a_4xx() =>
        HostileRequests.GetsAreAnsweredBelow500Async(fixture.Client, HostileRequests.Values.Select(value => $"/shipments/{value}"));

    /// <summary>
    /// With and without the right key: the list with any limit, the replay of any message id (none
    /// is parked here), and the replay of everything with any wrong key.
    /// </summary>
    [Fact]
    public async Task Any_dead_letter_request_is_answered_below_500_with_a_problem_document_for_a_4xx()
    {
        var key = Gen.OneOf<string?>(ShippingServiceFixture.OperatorApiKey, null, "", "wrong", ShippingServiceFixture.OperatorApiKey + " ");
        // Anonymous: the fixture's client is an operator already, whatever key it sends.
        using var client = fixture.Service.CreateAnonymousClient();
        await HostileRequests.GetsAreAnsweredBelow500Async(
            client,
            HostileRequests.Values.Select(value => $"/dead-letters?limit={value}"),
            request => request.Headers.TryAddWithoutValidation(OperatorAccess.ApiKeyHeader, ShippingServiceFixture.OperatorApiKey));
        await HostileRequests.SendsAreAnsweredBelow500Async(
            client,
            HttpMethod.Post,
            Gen.Select(HostileRequests.Values, key, (value, apiKey) => (value, apiKey)).Select(c => $"/dead-letters/{c.value}/replay" + (c.apiKey is null ? "" : "#" + c.apiKey)),
            request =>
            {
                // The key travels in the fragment of the generated path, which is never sent.
                var fragment = request.RequestUri!.OriginalString.Split("#", 2);
                request.RequestUri = new Uri(fragment[0], UriKind.Relative);
                if (fragment.Length == 2)
                {
                    request.Headers.TryAddWithoutValidation(OperatorAccess.ApiKeyHeader, fragment[1]);
                }
            });
        await HostileRequests.SendsAreAnsweredBelow500Async(
            client,
            HttpMethod.Post,
            HostileRequests.Values.Select(wrongKey => "/dead-letters/replay#" + Uri.UnescapeDataString(wrongKey)),
            request =>
            {
                var fragment = request.RequestUri!.OriginalString.Split("#", 2);
                request.RequestUri = new Uri(fragment[0], UriKind.Relative);
                request.Headers.TryAddWithoutValidation(OperatorAccess.ApiKeyHeader, fragment[1]);
            });
    }

    /// <summary>Past the delayed retry too: no attempt can make a broken event valid.</summary>
    [Fact]
    public Task Broken_stock_reserved_events_go_to_the_error_queue_and_leave_nothing_behind() =>
        BrokenEvents.GoToTheErrorQueueAndLeaveNothingBehindAsync(
            fixture,
            Topology.Queues.Shipping,
            ShippingServiceFixture.NewOrder().Reserved,
            () => Task.FromResult<IOrderEvent>(ShippingServiceFixture.NewOrder().Paid));
}
