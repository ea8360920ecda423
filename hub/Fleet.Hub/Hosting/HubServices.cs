using Fleet.Hub.Accounts;
using Fleet.Hub.Api;
using Fleet.Hub.Audit;
using Fleet.Hub.Broker;
using Fleet.Hub.Deployments;
using Fleet.Hub.Devices;
using Fleet.Hub.Firmware;
using Fleet.Hub.Pki;
using Fleet.Hub.Products;
using Fleet.Hub.Rollouts;
using Fleet.Hub.Storage;
using Fleet.Hub.Telemetry;
using Fleet.Hub.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Prometheus;

namespace Fleet.Hub.Hosting;

/// <summary>Wires the hub: options, data dir, PKI, database, contexts, broker, HTTPS and the API.</summary>
internal static class HubServices
{
    public static HubOptions AddHub(this WebApplicationBuilder builder, string[] args)
    {
        builder.Configuration.AddEnvironmentVariables("FLEET_");
        builder.Configuration.AddCommandLine(args, HubCommandLine.Switches.ToDictionary());
        HubOptions options;
        try
        {
            options = builder.Configuration.GetSection(HubOptions.Section).Get<HubOptions>() ?? new HubOptions();
        }
        catch (InvalidOperationException ex)
        {
            throw new HubStartFailure($"bad option value: {ex.InnerException?.Message ?? ex.Message}");
        }

        var errors = options.Validate().ToList();
        if (errors.Count > 0)
        {
            throw new HubStartFailure(string.Join("; ", errors));
        }

        // The data dir holds the CA key and the database: owner only.
        Directory.CreateDirectory(options.FullDataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var pki = HubPki.LoadOrCreate(options, TimeProvider.System);

        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        var services = builder.Services;
        services.Configure<HubOptions>(builder.Configuration.GetSection(HubOptions.Section));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(pki);
        services.AddHubDatabase(options.ConnectionString);
        services.AddSingleton<AuditLog>();
        services.AddSingleton<AccountDirectory>();
        services.AddSingleton<ProductCatalog>();
        services.AddSingleton<DeviceRegistry>();
        services.AddSingleton<DeviceReports>();
        // Rollouts hears of a status first (attempts move before commands go out), then the deliveries below.
        services.AddSingleton<RolloutLedger>();
        services.AddSingleton<IDeviceStatusListener>(sp => sp.GetRequiredService<RolloutLedger>());
        services.AddSingleton<IDeviceUpdateListener>(sp => sp.GetRequiredService<RolloutLedger>());
        services.AddSingleton<HubTlsIdentity>();
        services.AddSingleton<HubAnchorDelivery>();
        services.AddSingleton<IDeviceStatusListener>(sp => sp.GetRequiredService<HubAnchorDelivery>());
        services.AddSingleton<DroppedMessages>();
        services.AddSingleton<PresenceWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<PresenceWriter>());
        services.AddSingleton<DeviceCommands>();
        services.AddSingleton<DeploymentCatalog>();
        services.AddSingleton<DeploymentPlanner>();
        services.AddSingleton<TelemetryQuery>();
        services.AddSingleton<HealthQuery>();
        services.AddSingleton<HealthRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<HealthRetention>());
        services.AddSingleton(new BlobStore(options.FullBlobDir));
        services.AddFirmwareStore(options.FullDataDir);

        services.AddDeviceLink(options);
        services.AddSingleton<TelemetryIngest>();
        services.AddHostedService(sp => sp.GetRequiredService<TelemetryIngest>());
        services.AddSingleton<IInboundHandler>(sp => sp.GetRequiredService<TelemetryIngest>());
        services.AddSingleton<IInboundHandler, DeviceStateHandlers>();
        services.AddSingleton<IInboundHandler, HealthIngest>();
        services.AddSingleton<DeviceInbox>();

        services.AddSingleton<RolloutSignal>();
        services.AddSingleton<RolloutProgressQuery>();
        services.AddSingleton(ChunkDeliveryHooks.FromEnvironment());
        services.AddSingleton<ChunkRequestCounter>();
        services.AddSingleton(new ChunkCache(ChunkCache.DefaultBudgetBytes));
        services.AddSingleton<IInboundHandler, FirmwareChunkServer>();
        services.AddSingleton<TrustDelivery>();
        services.AddSingleton<ITrustListener>(sp => sp.GetRequiredService<TrustDelivery>());
        services.AddSingleton<IDeviceStatusListener>(sp => sp.GetRequiredService<TrustDelivery>());
        services.AddSingleton<RolloutOrchestrator>();
        services.AddHostedService(sp => sp.GetRequiredService<RolloutOrchestrator>());

        services.AddAuthentication(BearerTokenHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, null);
        services.AddAuthorization(a => a.AddRolePolicies());
        services.AddHubWeb(options);
        // Run from the build output (dotnet Fleet.Hub.dll, tests, fleet demo), the UI's files and blazor.web.js are
        // found through the build's static web assets manifest; a published hub has them in wwwroot instead.
        builder.WebHost.UseStaticWebAssets();
        services.AddProblemDetails();
        services.AddOpenApi(o => o.AddDocumentTransformer<BearerSecurityScheme>());

        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(options.BindAddress, options.HttpPort, listen => listen.UseHttps(https => https.ServerCertificateSelector = (_, _) => pki.ServerCertificate));
        });
        return options;
    }

    /// <summary>Applies migrations and creates the first admin token (printed once, written 0600).</summary>
    public static async Task PrepareAsync(this WebApplication app, HubOptions options)
    {
        var dbs = app.Services.GetRequiredService<IDbContextFactory<HubDb>>();
        await using (var db = await dbs.CreateDbContextAsync())
        {
            await db.Database.MigrateAsync();
            if (db.Database.IsSqlite())
            {
                // WAL lets the API read while the broker writes telemetry.
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
            }
        }

        await app.Services.GetRequiredService<HubTlsIdentity>().ChooseAsync(CancellationToken.None);

        // Publish the series from the start, so dashboards see zeros rather than nothing.
        HubMetrics.ConnectedDevices.Set(0);
        HubMetrics.MessagesIn.WithLabels("telemetry").IncTo(0);
        HubMetrics.Uploads.WithLabels("stored").IncTo(0);

        var admin = await app.Services.GetRequiredService<AccountDirectory>().BootstrapAdminAsync(CancellationToken.None);
        if (admin is not null)
        {
            var path = Path.Combine(options.FullDataDir, "admin-token");
            PrivateFile.WriteAtomic(path, admin.Token + "\n", PrivateFile.Secret);
            Console.WriteLine($"Admin API token (shown once; also in {path}, mode 0600):");
            Console.WriteLine(admin.Token);
        }

        await app.PrepareWebAsync(options);
    }

    public static void MapHub(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/healthz", () => TypedResults.Text("ok")).ExcludeFromDescription();
        app.MapOpenApi();
        app.MapMetrics();
        var api = app.MapGroup("/api/v1");
        api.MapAccountsApi();
        api.MapProductsApi();
        api.MapKeysApi();
        api.MapFirmwareApi();
        api.MapDeploymentsApi();
        api.MapDevicesApi();
        api.MapAuditApi();
        api.MapRolloutsApi();
        api.MapTrustApi();
        api.MapHubTlsApi();
        app.MapTufRepository();
        app.MapHubWeb();
    }
}
