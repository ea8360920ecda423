using Fleet.Hub.Accounts.SignIn;
using Fleet.Hub.Storage;
using Microsoft.AspNetCore.Identity;

namespace Fleet.Hub.Accounts;

/// <summary>Composition of the Accounts context: its tables, ASP.NET Core Identity on them, and the directory.</summary>
internal static class AccountsServices
{
    public static void AddAccounts(this IServiceCollection services, string connectionString)
    {
        services.AddAccountsDb(connectionString);
        services.AddHttpContextAccessor();
        services.AddIdentityCore<HubUser>(o =>
            {
                o.Password.RequiredLength = 12;
                o.User.RequireUniqueEmail = false;
            })
            .AddEntityFrameworkStores<AccountsDb>()
            .AddSignInManager<HubSignInManager>()
            .AddClaimsPrincipalFactory<SignInClaims>();
        // A sign-in cookie is checked against its user on every request: a disabled or deleted user, a new password
        // or a new role ends (or refreshes) the session at once, not up to 30 minutes later.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.Zero);
        services.AddSingleton<OpenUserSession>(sp => () =>
        {
            var scope = sp.CreateAsyncScope();
            return new UserSession(scope, scope.ServiceProvider.GetRequiredService<UserManager<HubUser>>());
        });
        services.AddSingleton<AccountDirectory>();
    }
}
