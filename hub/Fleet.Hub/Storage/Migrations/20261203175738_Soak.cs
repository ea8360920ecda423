using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Fleet.Hub.Storage.Migrations
{
    /// <inheritdoc />
    public partial class Soak : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Failure",
                table: "RolloutAttempts",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SoakNote",
                table: "RolloutAttempts",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "SoakRestarts",
                table: "RolloutAttempts",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "SoakStartedAt",
                table: "RolloutAttempts",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "SoakUntil",
                table: "RolloutAttempts",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "SoakSeconds",
                table: "DeploymentGroups",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Failure",
                table: "RolloutAttempts");

            migrationBuilder.DropColumn(
                name: "SoakNote",
                table: "RolloutAttempts");

            migrationBuilder.DropColumn(
                name: "SoakRestarts",
                table: "RolloutAttempts");

            migrationBuilder.DropColumn(
                name: "SoakStartedAt",
                table: "RolloutAttempts");

            migrationBuilder.DropColumn(
                name: "SoakUntil",
                table: "RolloutAttempts");

            migrationBuilder.DropColumn(
                name: "SoakSeconds",
                table: "DeploymentGroups");
        }
    }
}
