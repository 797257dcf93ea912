using System.Text.RegularExpressions;

namespace ECommerce.Template.Tests;

public sealed partial class TemplateInstantiationTests(GeneratedShop shop) : IClassFixture<GeneratedShop>
{
    private const string OriginalName = "ECommerce";

    // The MIT license asks that its copyright notice stay with every copy, so it keeps the name.
    private static readonly string[] KeptVerbatim = ["LICENSE"];

    [Fact]
    public void No_path_or_file_still_names_the_original_solution()
    {
        var leftovers = new List<string>();
        foreach (var relative in shop.CreatedFiles)
        {
            var file = Path.Combine(shop.Root, relative);
            if (KeptVerbatim.Contains(relative))
            {
                continue;
            }

            if (relative.Contains(OriginalName, StringComparison.Ordinal))
            {
                leftovers.Add($"path {relative}");
            }

            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].Contains(OriginalName, StringComparison.Ordinal))
                {
                    leftovers.Add($"{relative}:{i + 1}: {lines[i].Trim()}");
                }
            }
        }

        Assert.True(leftovers.Count == 0, "Not renamed:\n" + string.Join('\n', leftovers));
        Assert.True(shop.CreatedFiles.Count(file => file.EndsWith(".cs", StringComparison.Ordinal)) > 100, "the services' sources are missing from the output");
    }

    [Fact]
    public void The_solution_its_projects_and_the_apphost_references_carry_the_new_name()
    {
        var solution = Path.Combine(shop.Root, GeneratedShop.Name + ".sln");
        Assert.True(File.Exists(solution), $"{solution} does not exist; the output holds: {string.Join(", ", Directory.EnumerateFileSystemEntries(shop.Root).Select(Path.GetFileName))}");
        var solutionText = File.ReadAllText(solution);
        Assert.Contains(@"src\Acme.Shop.OrderService\Acme.Shop.OrderService.csproj", solutionText, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(shop.Root, "src", "Acme.Shop.OrderService", "Acme.Shop.OrderService.csproj")));

        // Aspire names the generated project metadata after the project with its dots as underscores.
        var appHost = File.ReadAllText(Path.Combine(shop.Root, "Acme.Shop.AppHost", "AppHost.cs"));
        Assert.Contains("Projects.Acme_Shop_OrderService", appHost, StringComparison.Ordinal);

        var events = File.ReadAllText(Path.Combine(shop.Root, "src", "Acme.Shop.Contracts", "Events.cs"));
        Assert.Contains("namespace Acme.Shop.Contracts", events, StringComparison.Ordinal);
        Assert.Contains("[MessageUrn(\"acme.shop:order-created:v1\")]", events, StringComparison.Ordinal);
    }

    [Fact]
    public void The_broker_and_telemetry_names_follow_the_new_name_the_local_user_stays_and_no_password_is_kept()
    {
        var topology = File.ReadAllText(Path.Combine(shop.Root, "src", "Acme.Shop.Contracts", "Topology.cs"));
        Assert.Contains("EventsExchange = \"acme.shop.events\"", topology, StringComparison.Ordinal);

        var metrics = File.ReadAllText(Path.Combine(shop.Root, "src", "Acme.Shop.OrderService", "Orders", "OrderMetrics.cs"));
        Assert.Contains("\"acme.shop.orders.placed\"", metrics, StringComparison.Ordinal);

        var retryQueue = File.ReadAllText(Path.Combine(shop.Root, "src", "Acme.Shop.Messaging", "Transport", "DelayedRetryQueue.cs"));
        Assert.Contains("\"x-acme-shop-attempt\"", retryQueue, StringComparison.Ordinal);

        // eng/infra.sh names the administrative user the AppHost's local mode and the load test
        // connect as; both sides must still agree, and a dotted role name would need quoting in SQL.
        Assert.Equal(
            File.ReadAllText(Path.Combine(shop.SourceRoot, "eng", "infra.sh")),
            File.ReadAllText(Path.Combine(shop.Root, "eng", "infra.sh")));
        var local = File.ReadAllText(Path.Combine(shop.Root, "Acme.Shop.AppHost", "Infrastructure", "LocalInfrastructure.cs"));
        Assert.Contains("User = \"ecommerce\"", local, StringComparison.Ordinal);

        // Its passwords are generated per state folder: no file of the new shop holds one.
        string[] fixedPasswords = ["ecommerce:ecommerce@", "Password=ecommerce;", "Password=ecommerce\"", "Password = \"ecommerce\"", "app_password=ecommerce"];
        var withPassword = shop.CreatedFiles
            .Where(file => fixedPasswords.Any(File.ReadAllText(Path.Combine(shop.Root, file)).Contains))
            .ToList();
        Assert.True(withPassword.Count == 0, "A fixed password in:\n" + string.Join('\n', withPassword));
    }

    [Fact]
    public void The_apphost_gets_a_user_secrets_id_of_its_own()
    {
        var original = UserSecretsId(Path.Combine(shop.SourceRoot, OriginalName + ".AppHost", OriginalName + ".AppHost.csproj"));
        var generated = UserSecretsId(Path.Combine(shop.Root, "Acme.Shop.AppHost", "Acme.Shop.AppHost.csproj"));

        Assert.True(Guid.TryParse(generated, out _), $"'{generated}' is not a GUID");
        Assert.NotEqual(original, generated, StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public void The_template_machinery_stays_behind_and_the_scripts_stay_executable()
    {
        Assert.False(Directory.Exists(Path.Combine(shop.Root, ".template.config")));
        Assert.False(Directory.Exists(Path.Combine(shop.Root, "tests", "Acme.Shop.Template.Tests")));
        Assert.DoesNotContain("Template.Tests", File.ReadAllText(Path.Combine(shop.Root, GeneratedShop.Name + ".sln")), StringComparison.Ordinal);
        var leftBehind = new[] { ".git", "bin", "obj", "TestResults", ".infra" };
        var copied = shop.CreatedFiles
            .Where(file => file.Split(Path.DirectorySeparatorChar).Any(part => leftBehind.Contains(part)))
            .ToList();
        Assert.True(copied.Count == 0, "copied although left behind:\n" + string.Join('\n', copied.Take(20)));
        Assert.Equal(
            File.ReadAllText(Path.Combine(shop.SourceRoot, "LICENSE")),
            File.ReadAllText(Path.Combine(shop.Root, "LICENSE")));

        if (!OperatingSystem.IsWindows())
        {
            foreach (var script in new[] { "eng/infra.sh", "eng/test.sh", ".ci/run", "bench/run.sh" })
            {
                var mode = File.GetUnixFileMode(Path.Combine(shop.Root, script));
                Assert.True(mode.HasFlag(UnixFileMode.UserExecute), $"{script} is not executable ({mode}):\n{shop.CreationOutput}");
            }
        }
    }

    [Fact]
    public async Task The_generated_solution_builds_with_warnings_as_errors_and_its_unit_tests_pass()
    {
        // The same rule as the original's build, from the same Directory.Build.props.
        Assert.Contains("<TreatWarningsAsErrors>true</TreatWarningsAsErrors>", File.ReadAllText(Path.Combine(shop.Root, "Directory.Build.props")), StringComparison.Ordinal);
        var solution = GeneratedShop.Name + ".sln";
        var build = await DotnetCli.RunAsync(shop.Root, TimeSpan.FromMinutes(25), "build", solution, "-c", "Release", "-nodeReuse:false");
        build.EnsureSuccess();

        // Tests that need neither a broker nor a database: the messaging block's unit tests and
        // the order validator's.
        var messaging = await DotnetCli.RunAsync(shop.Root, TimeSpan.FromMinutes(5), "test", "tests/Acme.Shop.Messaging.Tests", "-c", "Release", "--no-build");
        AssertTestsPassed(messaging);

        var validator = await DotnetCli.RunAsync(
            shop.Root,
            TimeSpan.FromMinutes(5),
            "test", "tests/Acme.Shop.OrderService.Tests", "-c", "Release", "--no-build",
            "--filter", "FullyQualifiedName~Acme.Shop.OrderService.Tests.PlaceOrderValidatorTests");
        AssertTestsPassed(validator);
    }

    private static void AssertTestsPassed(DotnetCli.Result run)
    {
        run.EnsureSuccess();
        // A filter that matches nothing also exits with 0: count what ran.
        var summary = TestSummary().Match(run.Output);
        Assert.True(summary.Success, $"no test summary in the output of `{run.CommandLine}`:\n{run.Output}");
        Assert.Equal(0, int.Parse(summary.Groups["failed"].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(int.Parse(summary.Groups["passed"].Value, System.Globalization.CultureInfo.InvariantCulture) > 0, $"no test ran in `{run.CommandLine}`:\n{run.Output}");
    }

    private static string UserSecretsId(string project)
    {
        var match = UserSecretsIdElement().Match(File.ReadAllText(project));
        Assert.True(match.Success, $"{project} has no UserSecretsId");
        return match.Groups[1].Value;
    }

    [GeneratedRegex(@"<UserSecretsId>([^<]+)</UserSecretsId>")]
    private static partial Regex UserSecretsIdElement();

    [GeneratedRegex(@"Failed:\s+(?<failed>\d+),\s+Passed:\s+(?<passed>\d+)")]
    private static partial Regex TestSummary();
}
