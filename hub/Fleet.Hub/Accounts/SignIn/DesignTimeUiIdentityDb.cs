using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Fleet.Hub.Accounts.SignIn;

/// <summary>Lets <c>dotnet ef migrations add --context UiIdentityDb</c> build the model without starting the hub.</summary>
internal sealed class DesignTimeUiIdentityDb : IDesignTimeDbContextFactory<UiIdentityDb>
{
    public UiIdentityDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<UiIdentityDb>()
            .UseSqlite("Data Source=design.db", s => s.MigrationsHistoryTable(UiIdentityDb.HistoryTable)).Options);
}
