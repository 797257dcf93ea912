using MassTransit;

namespace ECommerce.Contracts;

// A request, not an event: it has one asker, who waits for one answer on its own queue until a
// deadline, and it is worth nothing after that. It carries a time-to-live equal to that deadline.

/// <summary>What the items would cost now and whether they are in stock: asked of the Inventory service.</summary>
[MessageUrn("ecommerce:quote-requested:v1")]
public sealed record QuoteRequested(Guid QuoteId, Guid CorrelationId, IReadOnlyList<QuotedItem> Items) : CorrelatedBy<Guid>;

public sealed record QuotedItem(string ProductId, int Quantity);

/// <summary>
/// The Inventory service's answer to <see cref="QuoteRequested"/>, sent to the asker's response
/// address only. <see cref="Total"/> is the sum of the lines the catalog knows.
/// </summary>
[MessageUrn("ecommerce:quote-answered:v1")]
public sealed record QuoteAnswered(Guid QuoteId, IReadOnlyList<QuotedLine> Lines, decimal Total, DateTimeOffset QuotedAt);

/// <summary>
/// One line of a quote: <see cref="UnitPrice"/> and <see cref="LineTotal"/> are null for a product
/// the catalog does not know; <see cref="Available"/> is what can still be reserved.
/// </summary>
public sealed record QuotedLine(string ProductId, int Quantity, bool Known, decimal? UnitPrice, decimal? LineTotal, int Available, bool InStock);
