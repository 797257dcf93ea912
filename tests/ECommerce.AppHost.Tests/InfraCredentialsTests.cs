using System.Diagnostics;
using System.Runtime.Versioning;
using ECommerce.Testing;

namespace ECommerce.AppHost.Tests;

/// <summary>
/// eng/infra.sh's administrator passwords: generated on a state folder's first use, different for
/// every folder, readable by their owner only, and the same on every later use of that folder.
/// </summary>
[UnsupportedOSPlatform("windows")] // eng/infra.sh is a bash script for Linux and macOS.
public sealed class InfraCredentialsTests : IDisposable
{
    private readonly List<string> stateFolders = [];

    [Fact]
    public async Task Each_state_folder_gets_passwords_of_its_own_that_only_its_owner_may_read_and_that_stay()
    {
        var first = NewStateFolder();
        var second = NewStateFolder();

        var (firstStatus, firstPath, _) = await CredentialsAsync(first);
        var (secondStatus, _, _) = await CredentialsAsync(second);

        Assert.Equal(0, firstStatus);
        Assert.Equal(0, secondStatus);
        Assert.Equal(Path.Combine(first, InfraCredentials.FileName), firstPath);
        var one = InfraCredentials.Read(first);
        var other = InfraCredentials.Read(second);
        Assert.Matches("^[0-9a-f]{32}$", one.RabbitMqPassword);
        Assert.Matches("^[0-9a-f]{32}$", one.PostgresPassword);
        Assert.NotEqual(one.RabbitMqPassword, one.PostgresPassword);
        Assert.NotEqual(one.RabbitMqPassword, other.RabbitMqPassword);
        Assert.NotEqual(one.PostgresPassword, other.PostgresPassword);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(firstPath));

        await CredentialsAsync(first);
        Assert.Equal(one, InfraCredentials.Read(first));
    }

    [Fact]
    public async Task A_state_folder_whose_servers_predate_generated_passwords_is_refused_with_what_to_do()
    {
        var folder = NewStateFolder();
        Directory.CreateDirectory(Path.Combine(folder, "postgres", "data"));
        await File.WriteAllTextAsync(Path.Combine(folder, "postgres", "data", "PG_VERSION"), "15\n", TestContext.Current.CancellationToken);

        var (status, _, errors) = await CredentialsAsync(folder);

        Assert.NotEqual(0, status);
        Assert.Contains("remove", errors, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(folder, InfraCredentials.FileName)));
    }

    public void Dispose()
    {
        foreach (var folder in stateFolders)
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private string NewStateFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"ecommerce-credentials-test-{Guid.NewGuid():N}");
        stateFolders.Add(folder);
        return folder;
    }

    private static async Task<(int Status, string Output, string Errors)> CredentialsAsync(string stateFolder)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(Repository.Root, "eng", "infra.sh"), "credentials"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ECOMMERCE_INFRA_DIR"] = stateFolder;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, (await output).Trim(), await errors);
    }
}
