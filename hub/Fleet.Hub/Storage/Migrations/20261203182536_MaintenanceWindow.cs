using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Fleet.Hub.Storage.Migrations
{
    /// <inheritdoc />
    public partial class MaintenanceWindow : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "MaintenanceWindow",
                table: "DeploymentGroups",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "MaintenanceWindow",
                table: "DeploymentGroups");
        }
    }
}
