using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Fleet.Hub.Storage.Migrations
{
    /// <inheritdoc />
    public partial class OneAccountDirectory : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The Accounts and ApiTokens tables leave this context's model; AccountsDb's OneAccountDirectory
            // migration (run after this one) moves their rows into the one account directory and drops them.
            migrationBuilder.AddColumn<string>(
                name: "Token",
                table: "Audit",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Token",
                table: "Audit");
        }
    }
}
