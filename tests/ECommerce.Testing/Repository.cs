namespace ECommerce.Testing;

/// <summary>The working tree the tests were built from.</summary>
public static class Repository
{
    /// <summary>The folder holding <c>ECommerce.sln</c>, found above the test output.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ECommerce.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("ECommerce.sln not found above the test output.");
    }
}
