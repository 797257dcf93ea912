using ECommerce.ShippingService.Carrier;
using ECommerce.ShippingService.Shipments;

namespace ECommerce.ShippingService.Tests;

/// <summary>The simulated carrier's documented test triggers and failure rate, without a broker.</summary>
public sealed class CarrierClientTests
{
    private static readonly IReadOnlyList<ShipmentItem> Items = [new("PROD123", 1)];

    [Fact]
    public async Task Without_a_trigger_and_a_failure_rate_of_zero_every_call_books_a_SimShip_parcel()
    {
        var carrier = new CarrierClient(0.0, new Random(1));

        for (var i = 0; i < 200; i++)
        {
            var booking = await carrier.BookAsync(Request("customer@example.com"), TestContext.Current.CancellationToken);
            Assert.Equal(CarrierClient.CarrierName, booking.Carrier);
            Assert.Matches("^TRK[0-9A-Z]{10}$", booking.TrackingNumber);
        }
    }

    [Fact]
    public async Task Carriers_with_the_same_seed_give_an_order_the_same_tracking_number_and_orders_different_ones()
    {
        var first = new CarrierClient(0.0, new Random(42));
        var second = new CarrierClient(0.0, new Random(42));

        var fromFirst = new List<string>();
        var fromSecond = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var request = Request("a@example.com");
            fromFirst.Add((await first.BookAsync(request, TestContext.Current.CancellationToken)).TrackingNumber);
            fromSecond.Add((await second.BookAsync(request, TestContext.Current.CancellationToken)).TrackingNumber);
        }

        Assert.Equal(fromFirst, fromSecond);
        Assert.Equal(5, fromFirst.Distinct().Count());
        var otherSeed = await new CarrierClient(0.0, new Random(43)).BookAsync(Request("a@example.com"), TestContext.Current.CancellationToken);
        Assert.DoesNotContain(otherSeed.TrackingNumber, fromFirst);
    }

    [Fact]
    public async Task Booking_an_order_again_answers_the_first_booking()
    {
        var carrier = new CarrierClient(0.0, new Random(5));
        var request = Request("customer@example.com");

        var first = await carrier.BookAsync(request, TestContext.Current.CancellationToken);
        var again = await carrier.BookAsync(request with { CustomerEmail = "customer@example.com" }, TestContext.Current.CancellationToken);

        Assert.Equal(first, again);
    }

    [Fact]
    public async Task A_failure_rate_of_one_fails_every_call_without_a_trigger()
    {
        var carrier = new CarrierClient(1.0, new Random(7));

        for (var i = 0; i < 50; i++)
        {
            var failure = await Assert.ThrowsAsync<CarrierUnavailableException>(() => carrier.BookAsync(Request("customer@example.com"), TestContext.Current.CancellationToken));
            Assert.Equal("Carrier unavailable (random failure)", failure.Message);
        }
    }

    [Fact]
    public async Task A_failure_rate_of_one_half_fails_about_half_of_the_calls()
    {
        var carrier = new CarrierClient(0.5, new Random(2024));
        var failures = 0;

        for (var i = 0; i < 1000; i++)
        {
            try
            {
                await carrier.BookAsync(Request("customer@example.com"), TestContext.Current.CancellationToken);
            }
            catch (CarrierUnavailableException)
            {
                failures++;
            }
        }

        // Seeded, so the count is the same on every run; the bounds say what it means.
        Assert.InRange(failures, 450, 550);
    }

    [Theory]
    [InlineData("jane+carrier-down@example.com")]
    [InlineData("JANE+CARRIER-DOWN@EXAMPLE.COM")]
    [InlineData("x+carrier-down+more@example.com")]
    public async Task Carrier_down_fails_every_call_whatever_the_failure_rate(string email)
    {
        var carrier = new CarrierClient(0.0, new Random(1));
        var request = Request(email);

        for (var call = 1; call <= 10; call++)
        {
            var failure = await Assert.ThrowsAsync<CarrierUnavailableException>(() => carrier.BookAsync(request, TestContext.Current.CancellationToken));
            Assert.Equal("Carrier unavailable", failure.Message);
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public async Task A_flaky_carrier_fails_the_first_two_calls_of_an_order_and_books_the_third_whatever_the_failure_rate(double failureRate)
    {
        var carrier = new CarrierClient(failureRate, new Random(1));
        var request = Request("jane+Carrier-Flaky@example.com");

        var first = await Assert.ThrowsAsync<CarrierUnavailableException>(() => carrier.BookAsync(request, TestContext.Current.CancellationToken));
        var second = await Assert.ThrowsAsync<CarrierUnavailableException>(() => carrier.BookAsync(request, TestContext.Current.CancellationToken));
        var booking = await carrier.BookAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal("Carrier unavailable (flaky carrier: call 1, succeeds on call 3)", first.Message);
        Assert.Equal("Carrier unavailable (flaky carrier: call 2, succeeds on call 3)", second.Message);
        Assert.Equal(CarrierClient.CarrierName, booking.Carrier);
    }

    [Fact]
    public async Task Flaky_calls_are_counted_per_order_and_a_booked_order_stays_booked()
    {
        var carrier = new CarrierClient(0.0, new Random(1));
        var one = Request("a+carrier-flaky@example.com");
        var other = Request("b+carrier-flaky@example.com");

        await Assert.ThrowsAsync<CarrierUnavailableException>(() => carrier.BookAsync(one, TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<CarrierUnavailableException>(() => carrier.BookAsync(other, TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<CarrierUnavailableException>(() => carrier.BookAsync(one, TestContext.Current.CancellationToken));
        var booked = await carrier.BookAsync(one, TestContext.Current.CancellationToken);
        await Assert.ThrowsAsync<CarrierUnavailableException>(() => carrier.BookAsync(other, TestContext.Current.CancellationToken));
        await carrier.BookAsync(other, TestContext.Current.CancellationToken);

        // Booked: calling again (a consumer's transaction run again) answers the same booking.
        Assert.Equal(booked, await carrier.BookAsync(one, TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("outage+carrier-fail3@example.com", 3)]
    [InlineData("outage+carrier-fail1@example.com", 1)]
    [InlineData("outage+CARRIER-FAIL12x@example.com", 12)]
    [InlineData("outage+carrier-fail0@example.com", 0)]
    public async Task Carrier_failN_fails_the_first_N_calls_then_books(string email, int failures)
    {
        var carrier = new CarrierClient(1.0, new Random(1));
        var request = Request(email);

        for (var call = 1; call <= failures; call++)
        {
            var failure = await Assert.ThrowsAsync<CarrierUnavailableException>(() => carrier.BookAsync(request, TestContext.Current.CancellationToken));
            Assert.Equal($"Carrier unavailable (flaky carrier: call {call}, succeeds on call {failures + 1})", failure.Message);
        }

        Assert.Equal(CarrierClient.CarrierName, (await carrier.BookAsync(request, TestContext.Current.CancellationToken)).Carrier);
    }

    [Theory]
    [InlineData("jane+carrier-fail@example.com")]
    [InlineData("jane@carrier-down.example.com")]
    [InlineData("jane@example+carrier-flaky.com")]
    [InlineData("janecarrier-down@example.com")]
    public async Task Text_that_is_not_a_trigger_in_the_local_part_is_no_trigger(string email)
    {
        var carrier = new CarrierClient(0.0, new Random(1));

        var booking = await carrier.BookAsync(Request(email), TestContext.Current.CancellationToken);

        Assert.Equal(CarrierClient.CarrierName, booking.Carrier);
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    public void A_failure_rate_outside_zero_to_one_is_refused(double failureRate) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new CarrierClient(failureRate, new Random(1)));

    [Fact]
    public async Task A_cancelled_call_books_nothing()
    {
        var carrier = new CarrierClient(0.0, new Random(1));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => carrier.BookAsync(Request("a@example.com"), new CancellationToken(canceled: true)));
    }

    private static CarrierRequest Request(string email) => new(Guid.NewGuid(), email, [.. Items]);
}
