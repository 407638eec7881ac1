"""A township user imports households from Excel in the browser: a bad row, the fix, confirmation, the result."""

from pathlib import Path

import pytest

from organisation.roles import Role
from tests.factories.households import valid_id_number
from tests.factories.organisation import PASSWORD, VillageFactory
from tests.households.test_import_sheets import file_number, sheet_bytes, sheet_row

pytestmark = [pytest.mark.browser, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_town_staff_fix_a_bad_row_import_the_sheet_and_find_the_household(
    live_server, page, make_user, town, import_queue, worker, tmp_path
):
    # given a town user and a sheet of two households, one member with a mistyped ID number
    village = VillageFactory(town=town, name="王家庄村")
    make_user(Role.TOWN_STAFF, town=town, username="wanggou")
    first, second = file_number(), file_number()
    good_id = valid_id_number(female=True)
    typo = good_id[:17] + ("1" if good_id[17] == "0" else "0")
    rows = [
        sheet_row(town=town, village=village, file=first, 姓名="李春生"),
        sheet_row(town=town, village=village, file=first, 姓名="李秀英", 与户主关系="配偶", 公民身份号码=typo),
        sheet_row(town=town, village=village, file=second, 姓名="赵明"),
    ]
    bad_file, fixed_file = tmp_path / "汪沟镇贫困户.xlsx", tmp_path / "汪沟镇贫困户-改.xlsx"
    bad_file.write_bytes(sheet_bytes(rows))
    rows[1]["公民身份号码"] = good_id
    fixed_file.write_bytes(sheet_bytes(rows))

    with worker():
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("用户名").fill("wanggou")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{live_server.url}/")

        # when they upload the sheet with the bad row
        page.goto(f"{live_server.url}/households/imports/")
        upload = page.get_by_test_id("import-upload")
        upload.locator("input[type=file]").set_input_files(bad_file)
        upload.locator("button[type=submit]").click()

        # then the preview, once the check is done, names the row and the column, and offers no import
        page.get_by_test_id("import-rejected").wait_for(timeout=30_000)
        errors = page.get_by_test_id("import-errors").inner_text()
        assert "3\t公民身份号码" in errors
        assert page.get_by_test_id("import-confirm").count() == 0
        Path("var").mkdir(exist_ok=True)
        page.screenshot(path="var/e2e-household-import-rejected.png", full_page=True)

        # when they upload the corrected sheet and confirm
        page.goto(f"{live_server.url}/households/imports/")
        upload = page.get_by_test_id("import-upload")
        upload.locator("input[type=file]").set_input_files(fixed_file)
        upload.locator("button[type=submit]").click()
        page.get_by_test_id("import-ready").wait_for(timeout=30_000)
        assert "2" in page.get_by_test_id("import-summary").inner_text()
        page.get_by_test_id("import-confirm").click()

        # then the import finishes
        page.get_by_test_id("import-done").wait_for(timeout=30_000)
        page.screenshot(path="var/e2e-household-import-done.png", full_page=True)

    # and the household is in the household list, with its head
    page.goto(f"{live_server.url}/households/?q={first}")
    table = page.get_by_test_id("household-table").inner_text()
    assert first in table and "李春生" in table
    page.get_by_role("link", name=first).click()
    # and its Members tab, loaded when shown, lists the other member
    page.get_by_role("tab", name="家庭成员").click()
    page.get_by_text("李秀英").wait_for(timeout=10_000)
