namespace Fleet.Hub.Firmware;

internal static class FirmwareRegistration
{
    public static IServiceCollection AddFirmwareStore(this IServiceCollection services)
    {
        services.AddSingleton<SigningKeyRing>();
        services.AddSingleton<FirmwareStore>();
        return services;
    }
}
