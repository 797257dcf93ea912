using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ECommerce.InventoryService.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ProductPriceVersion : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "price_version",
                table: "products",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "price_version",
                table: "products");
        }
    }
}
