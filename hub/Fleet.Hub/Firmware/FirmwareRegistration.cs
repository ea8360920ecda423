namespace Fleet.Hub.Firmware;

internal static class FirmwareRegistration
{
    public static IServiceCollection AddFirmwareStore(this IServiceCollection services, string dataDir)
    {
        services.AddSingleton<RegisteredKeyRing>();
        services.AddSingleton<FirmwareStore>();
        services.AddSingleton(OnlineKey.LoadOrCreate(dataDir));
        services.AddSingleton<TrustSigner>();
        services.AddSingleton<TrustQuery>();
        services.AddSingleton<TrustOverview>();
        services.AddSingleton<TrustStore>();
        services.AddSingleton<ReleaseGate>();
        services.AddSingleton<DowngradePermitStore>();
        services.AddSingleton<TrustRefresher>();
        services.AddHostedService(sp => sp.GetRequiredService<TrustRefresher>());
        return services;
    }
}
