using ECommerce.Testing;

namespace ECommerce.Template.Tests;

/// <summary>
/// The template installed from the working tree into a hive of its own (the user's template
/// cache is never read or written) and instantiated once as <c>Acme.Shop</c> in a temporary folder.
/// </summary>
public sealed class GeneratedShop : IAsyncLifetime
{
    public const string Name = "Acme.Shop";

    private readonly string workspace = Path.Combine(Path.GetTempPath(), "ecommerce-template-tests", Guid.NewGuid().ToString("N"));

    public string SourceRoot => Repository.Root;

    public string Root => Path.Combine(workspace, "out");

    public string CreationOutput { get; private set; } = "";

    /// <summary>
    /// What <c>dotnet new</c> wrote, relative to <see cref="Root"/>, listed before any test builds
    /// in the folder: the tests may run in any order.
    /// </summary>
    public IReadOnlyList<string> CreatedFiles { get; private set; } = [];

    public async ValueTask InitializeAsync()
    {
        var hive = Path.Combine(workspace, "hive");
        Directory.CreateDirectory(hive);

        var install = await DotnetCli.RunAsync(workspace, TimeSpan.FromMinutes(3), "new", "install", SourceRoot, "--debug:custom-hive", hive);
        install.EnsureSuccess();

        var create = await DotnetCli.RunAsync(
            workspace,
            TimeSpan.FromMinutes(3),
            "new", "ecommerce-microservices", "-n", Name, "-o", Root, "--debug:custom-hive", hive);
        create.EnsureSuccess();
        CreationOutput = create.Output;
        CreatedFiles = Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(Root, file))
            .ToList();
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            Directory.Delete(workspace, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is not worth failing a passed test for.
        }
        catch (UnauthorizedAccessException)
        {
        }

        return ValueTask.CompletedTask;
    }
}
