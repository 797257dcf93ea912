using System.Net;
using ECommerce.Fuzz;

namespace ECommerce.OrderService.Tests;

/// <summary>
/// The inputs an AFL campaign over <see cref="FuzzTargets"/> found worth keeping (README,
/// "Fuzzing"), replayed on every run: each must pass its target (refused or read the documented
/// way), and an order body must also get a non-5xx answer from the running service that stores
/// nothing unless it is accepted.
/// </summary>
public sealed class FuzzCorpusTests(OrderServiceFixture fixture) : IClassFixture<OrderServiceFixture>
{
    private static readonly string CorpusDirectory = Path.Combine(AppContext.BaseDirectory, "FuzzCorpus");

    public static TheoryData<string, string> Corpus()
    {
        var cases = new TheoryData<string, string>();
        foreach (var target in FuzzTargets.Names)
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(CorpusDirectory, target)).Order(StringComparer.Ordinal))
            {
                cases.Add(target, Path.GetFileName(file));
            }
        }

        return cases;
    }

    [Fact]
    public void Every_target_has_a_corpus() =>
        Assert.All(FuzzTargets.Names, target => Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(CorpusDirectory, target))));

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task A_corpus_input_is_refused_or_read_the_documented_way(string target, string file)
    {
        var input = await File.ReadAllBytesAsync(Path.Combine(CorpusDirectory, target, file), TestContext.Current.CancellationToken);

        FuzzTargets.Run(target, input);

        if (target == FuzzTargets.OrderBody)
        {
            var before = await fixture.CountStoredAsync();
            using var content = new ByteArrayContent(input);
            content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            using var response = await fixture.Client.PostAsync("/orders", content, TestContext.Current.CancellationToken);
            Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode} for {file}");
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                Assert.Equal(before, await fixture.CountStoredAsync());
            }
        }
    }
}
