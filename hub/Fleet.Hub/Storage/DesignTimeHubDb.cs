using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Fleet.Hub.Storage;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the hub.</summary>
internal sealed class DesignTimeHubDb : IDesignTimeDbContextFactory<HubDb>
{
    public HubDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<HubDb>().UseSqlite("Data Source=design.db").Options);
}
