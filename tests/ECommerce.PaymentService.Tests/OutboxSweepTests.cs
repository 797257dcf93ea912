using System.Text.Json;
using ECommerce.Contracts;
using ECommerce.Messaging.Outbox;
using ECommerce.Testing;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.PaymentService.Tests;

/// <summary>
/// Rows that no transaction of the running service handed to its dispatcher (a crashed
/// replica's, written here with plain SQL) are published by the dispatcher's sweep, but only once
/// they are older than <c>Messaging:OutboxSweepGrace</c>: a younger row may still be in flight
/// in the process that wrote it.
/// </summary>
public sealed class OutboxSweepTests(PaymentServiceFixture fixture) : IClassFixture<PaymentServiceFixture>
{
    [Fact]
    public async Task The_sweep_publishes_a_row_nobody_handed_over_once_it_is_older_than_the_grace_and_leaves_a_younger_one_alone()
    {
        var now = DateTimeOffset.UtcNow;
        var leftBehind = Refund();
        var stillInFlight = Refund();
        await InsertWithoutHandOffAsync(leftBehind, storedAt: now.AddMinutes(-10));
        // Stored "in the future": younger than the grace for the whole test, whatever its length.
        await InsertWithoutHandOffAsync(stillInFlight, storedAt: now.AddHours(1));

        try
        {
            var published = await fixture.WaitForPublishedAsync(PaymentServiceFixture.PaymentRefundedProbe, leftBehind.OrderId);
            Assert.Equal(leftBehind, Assert.Single(published).Read<PaymentRefunded>());

            // The sweep marks the row in its claim transaction, which commits just after the
            // broker confirmed the publish: poll for the mark.
            await Eventually.UntilAsync(() => ConfirmedAtAsync(leftBehind.CorrelationId), confirmed => confirmed is not null, "the swept row to be marked confirmed");

            // The sweep that published the old row saw the young one and left it.
            Assert.Null(await ConfirmedAtAsync(stillInFlight.CorrelationId));
            Assert.Empty(await fixture.PublishedAsync(PaymentServiceFixture.PaymentRefundedProbe, stillInFlight.OrderId));
        }
        finally
        {
            // Other tests wait for an empty outbox.
            await fixture.InDatabaseAsync(db => db.Database.ExecuteSqlAsync($"DELETE FROM outbox_messages WHERE correlation_id = {stillInFlight.CorrelationId}"));
        }
    }

    private static PaymentRefunded Refund() =>
        new(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), 12.34m, "sweep@example.com", "Sweep test", DateTimeOffset.UtcNow);

    private Task<int> InsertWithoutHandOffAsync(PaymentRefunded refund, DateTimeOffset storedAt) =>
        fixture.InDatabaseAsync(db => db.Database.ExecuteSqlAsync($"""
            INSERT INTO outbox_messages (message_id, message_type, routing_key, payload, correlation_id, producer, created_at, attempts)
            VALUES ({Guid.NewGuid()}, {MessageUrn.ForTypeString<PaymentRefunded>()}, {Topology.RoutingKeys.PaymentRefunded},
                    {JsonSerializer.Serialize(refund, new JsonSerializerOptions(JsonSerializerDefaults.Web))}::jsonb,
                    {refund.CorrelationId}, 'sweep-test', {storedAt}, 0)
            """));

    private Task<DateTimeOffset?> ConfirmedAtAsync(Guid correlationId) =>
        fixture.InDatabaseAsync(db => db.Set<OutboxMessage>()
            .Where(m => m.CorrelationId == correlationId)
            .Select(m => m.ConfirmedAt)
            .SingleAsync());
}
