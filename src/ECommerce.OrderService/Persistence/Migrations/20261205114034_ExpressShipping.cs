using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ECommerce.OrderService.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ExpressShipping : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "shipping",
                table: "orders",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                // Every order placed before express shipping existed was shipped standard.
                defaultValue: "Standard");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "shipping",
                table: "orders");
        }
    }
}
