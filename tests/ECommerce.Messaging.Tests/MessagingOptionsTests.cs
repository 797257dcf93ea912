namespace ECommerce.Messaging.Tests;

public sealed class MessagingOptionsTests
{
    [Fact]
    public void The_seed_defaults_are_the_defaults()
    {
        var options = new MessagingOptions();

        Assert.Equal(
            (3, 1000, 5, 30000, 3, 5, 5000),
            (options.MaxRetries, options.RetryDelay, options.FailureThreshold, options.ResetTimeout, options.HalfOpenRequests, options.SuccessThreshold, options.ConnectionCheckDelay));
        Assert.Null(options.Problem());
    }

    [Fact]
    public void Outbox_and_inbox_rows_are_kept_a_week_by_default_and_a_negative_retention_is_named()
    {
        var options = new MessagingOptions();
        Assert.Equal((168, 3_600_000), (options.RetentionHours, options.RetentionSweepInterval));

        options.RetentionHours = -1;
        Assert.StartsWith(nameof(MessagingOptions.RetentionHours), options.Problem(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(nameof(MessagingOptions.FailureThreshold))]
    [InlineData(nameof(MessagingOptions.HalfOpenRequests))]
    [InlineData(nameof(MessagingOptions.SuccessThreshold))]
    [InlineData(nameof(MessagingOptions.PrefetchCount))]
    [InlineData(nameof(MessagingOptions.RetentionSweepInterval))]
    public void A_zero_where_at_least_one_is_needed_is_named(string option)
    {
        var options = new MessagingOptions();
        typeof(MessagingOptions).GetProperty(option)!.SetValue(options, 0);

        Assert.StartsWith(option, options.Problem(), StringComparison.Ordinal);
    }
}
