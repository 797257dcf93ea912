using System.Text.Json;

namespace ECommerce.EndToEnd.Tests;

/// <summary>
/// The services' runtime settings (Directory.Build.targets) reach every service's
/// runtimeconfig.json, the file the runtime reads at start-up; the load test's figures depend on
/// them (bench/README.md).
/// </summary>
public sealed class RuntimeSettingsTests
{
    public static TheoryData<string> Services => new()
    {
        "ECommerce.OrderService",
        "ECommerce.PaymentService",
        "ECommerce.InventoryService",
        "ECommerce.ShippingService",
        "ECommerce.NotificationService",
    };

    [Theory]
    [MemberData(nameof(Services))]
    public void Idle_thread_pool_workers_do_not_spin(string service)
    {
        // The referenced services' runtimeconfig.json files are copied next to this assembly.
        var path = Path.Combine(AppContext.BaseDirectory, $"{service}.runtimeconfig.json");
        Assert.True(File.Exists(path), $"{path} is missing");

        using var runtimeConfig = JsonDocument.Parse(File.ReadAllText(path));
        var properties = runtimeConfig.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.True(
            properties.TryGetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit", out var spinLimit),
            $"{service} does not set the thread pool's spin limit");
        Assert.Equal(0, spinLimit.GetInt32());
    }
}
