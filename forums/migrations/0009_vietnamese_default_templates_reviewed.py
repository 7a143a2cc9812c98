"""The Vietnamese default email templates by the academy's review (docs/glossary.md).

Only installed default rows (all editions, Vietnamese) that still hold the text shipped before
are updated: a template staff have edited is theirs and stays as it is. The texts are frozen
here (before, after) so that later changes to default_templates.py do not change this step.
"""

from django.db import migrations

REVIEWED = {
    "invitation": (
        (
            "Thư mời: {{ edition_title }}, {{ dates }}",
            "Kính gửi {{ formal_name }},\n\nThay mặt {{ academy_name }}, chúng tôi trân trọng kính mời Quý vị tham dự {{ edition_title }}, diễn ra vào {{ dates }}{% if venue %} tại {{ venue }}{% endif %}.\n{% if theme %}\nChủ đề của kỳ này là “{{ theme }}”.\n{% endif %}{% if session %}\nChúng tôi rất mong Quý vị tham gia phiên “{{ session }}”{% if role %} với vai trò {{ role }}{% endif %}.\n{% endif %}{% if personal_message %}\n{{ personal_message }}\n{% endif %}\nKính đề nghị Quý vị phản hồi{% if deadline %} trước ngày {{ deadline }}{% endif %} qua đường dẫn cá nhân dưới đây:\n{{ rsvp_link }}\n\nĐường dẫn này dành riêng cho Quý vị, xin vui lòng không chuyển tiếp. Quý vị có thể thay đổi phản hồi bằng chính đường dẫn này cho đến hạn chót.\n\nCác thảo luận được tiến hành theo nguyên tắc: {{ attribution }}\n\nMọi thắc mắc xin vui lòng liên hệ {{ contact_email }}.\n\nTrân trọng,\n{{ academy_name }}",
        ),
        (
            "Thư mời: {{ edition_title }}, {{ dates }}",
            "Kính gửi {{ formal_name }},\n\nThay mặt {{ academy_name }}, chúng tôi trân trọng kính mời Quý vị tham dự {{ edition_title }}, diễn ra vào {{ dates }}{% if venue %} tại {{ venue }}{% endif %}.\n{% if theme %}\nChủ đề của kỳ này là “{{ theme }}”.\n{% endif %}{% if session %}\nChúng tôi rất mong Quý vị tham gia phiên “{{ session }}”{% if role %} với vai trò {{ role }}{% endif %}.\n{% endif %}{% if personal_message %}\n{{ personal_message }}\n{% endif %}\nKính đề nghị Quý vị phản hồi{% if deadline %} chậm nhất ngày {{ deadline }}{% endif %} qua đường dẫn cá nhân dưới đây:\n{{ rsvp_link }}\n\nĐường dẫn này dành riêng cho Quý vị, xin vui lòng không chuyển tiếp. Quý vị có thể thay đổi phản hồi bằng chính đường dẫn này cho đến hạn chót.\n\nCác thảo luận được tiến hành theo nguyên tắc: {{ attribution }}\n\nMọi thắc mắc xin gửi về {{ contact_email }}.\n\nTrân trọng,\n{{ academy_name }}",
        ),
    ),
    "reminder_unanswered": (
        (
            "Nhắc lại: kính mong Quý vị phản hồi thư mời tham dự {{ edition_title }}",
            "Kính gửi {{ formal_name }},\n\nChúng tôi chưa nhận được phản hồi của Quý vị đối với thư mời tham dự {{ edition_title }} ({{ dates }}{% if venue %}, {{ venue }}{% endif %}).\n\nKính mong Quý vị cho biết{% if deadline %} trước ngày {{ deadline }}{% endif %} liệu Quý vị có thể tham dự hay không, qua đường dẫn:\n{{ rsvp_link }}\n\nMọi thắc mắc xin vui lòng liên hệ {{ contact_email }}.\n\nTrân trọng,\n{{ academy_name }}",
        ),
        (
            "Thư nhắc phản hồi thư mời tham dự {{ edition_title }}",
            "Kính gửi {{ formal_name }},\n\nChúng tôi chưa nhận được phản hồi của Quý vị đối với thư mời tham dự {{ edition_title }} ({{ dates }}{% if venue %}, {{ venue }}{% endif %}).\n\nKính mong Quý vị cho biết{% if deadline %} chậm nhất ngày {{ deadline }}{% endif %} Quý vị có thể tham dự hay không, qua đường dẫn cá nhân:\n{{ rsvp_link }}\n\nMọi thắc mắc xin gửi về {{ contact_email }}.\n\nTrân trọng,\n{{ academy_name }}",
        ),
    ),
    "reminder_participant": (
        (
            "Hẹn gặp Quý vị tại {{ edition_title }}",
            "Kính gửi {{ formal_name }},\n\nChúng tôi hân hạnh được đón tiếp Quý vị tại {{ edition_title }} vào {{ dates }}{% if venue %} tại {{ venue }}{% endif %}.\n{% if session %}\nPhiên của Quý vị: {{ session }}{% if role %} ({{ role }}){% endif %}.\n{% endif %}{% if practical_information %}\nThông tin hậu cần:\n{{ practical_information }}\n{% endif %}\nTệp lịch đính kèm giúp Quý vị thêm sự kiện vào lịch của mình. Nếu kế hoạch thay đổi, xin vui lòng cập nhật phản hồi tại:\n{{ rsvp_link }}\n\nMọi thắc mắc xin vui lòng liên hệ {{ contact_email }}.\n\nTrân trọng,\n{{ academy_name }}",
        ),
        (
            "Hẹn gặp Quý vị tại {{ edition_title }}",
            "Kính gửi {{ formal_name }},\n\nChúng tôi hân hạnh được đón tiếp Quý vị tại {{ edition_title }} vào {{ dates }}{% if venue %} tại {{ venue }}{% endif %}.\n{% if session %}\nPhiên của Quý vị: {{ session }}{% if role %} ({{ role }}){% endif %}.\n{% endif %}{% if practical_information %}\nThông tin hậu cần:\n{{ practical_information }}\n{% endif %}\nTệp lịch đính kèm giúp Quý vị thêm sự kiện vào lịch của mình. Nếu kế hoạch thay đổi, xin vui lòng cập nhật phản hồi tại:\n{{ rsvp_link }}\n\nMọi thắc mắc xin gửi về {{ contact_email }}.\n\nTrân trọng,\n{{ academy_name }}",
        ),
    ),
    "confirmation": (
        (
            "Xác nhận tham dự {{ edition_title }}",
            "Kính gửi {{ formal_name }},\n\nCảm ơn Quý vị đã nhận lời mời. Chúng tôi xác nhận sự tham dự của Quý vị tại {{ edition_title }} vào {{ dates }}{% if venue %} tại {{ venue }}{% endif %}.\n{% if session %}\nPhiên của Quý vị: {{ session }}{% if role %} ({{ role }}){% endif %}.\n{% endif %}{% if answer_summary %}\nThông tin Quý vị đã cung cấp:\n{{ answer_summary }}\n{% endif %}\nTệp lịch đính kèm giúp Quý vị thêm sự kiện vào lịch của mình. Quý vị có thể xem lại hoặc thay đổi phản hồi{% if deadline %} đến ngày {{ deadline }}{% endif %} qua đường dẫn cá nhân:\n{{ rsvp_link }}\n{% if practical_information %}\nThông tin hậu cần:\n{{ practical_information }}\n{% endif %}\nMọi thắc mắc xin vui lòng liên hệ {{ contact_email }}.\n\nTrân trọng,\n{{ academy_name }}",
        ),
        (
            "Xác nhận tham dự {{ edition_title }}",
            "Kính gửi {{ formal_name }},\n\nCảm ơn Quý vị đã nhận lời mời. Chúng tôi xác nhận sự tham dự của Quý vị tại {{ edition_title }} vào {{ dates }}{% if venue %} tại {{ venue }}{% endif %}.\n{% if session %}\nPhiên của Quý vị: {{ session }}{% if role %} ({{ role }}){% endif %}.\n{% endif %}{% if answer_summary %}\nThông tin Quý vị đã cung cấp:\n{{ answer_summary }}\n{% endif %}\nTệp lịch đính kèm giúp Quý vị thêm sự kiện vào lịch của mình. Quý vị có thể xem lại hoặc thay đổi phản hồi{% if deadline %} đến hết ngày {{ deadline }}{% endif %} qua đường dẫn cá nhân:\n{{ rsvp_link }}\n{% if practical_information %}\nThông tin hậu cần:\n{{ practical_information }}\n{% endif %}\nMọi thắc mắc xin gửi về {{ contact_email }}.\n\nTrân trọng,\n{{ academy_name }}",
        ),
    ),
    "waitlisted": (
        (
            "Quý vị đang ở trong danh sách chờ của {{ edition_title }}",
            "Kính gửi {{ formal_name }},\n\nCảm ơn Quý vị đã nhận lời mời tham dự {{ edition_title }} ({{ dates }}). Hiện tất cả các chỗ đã được đăng ký, vì vậy chúng tôi đã đưa Quý vị vào danh sách chờ. Khi có chỗ trống, chỗ đó sẽ tự động được dành cho Quý vị và chúng tôi sẽ gửi thư xác nhận.\n\nNếu Quý vị không thể tham dự, xin vui lòng cho chúng tôi biết qua đường dẫn cá nhân:\n{{ rsvp_link }}\n\nMọi thắc mắc xin vui lòng liên hệ {{ contact_email }}.\n\nTrân trọng,\n{{ academy_name }}",
        ),
        (
            "Quý vị có tên trong danh sách chờ tham dự {{ edition_title }}",
            "Kính gửi {{ formal_name }},\n\nCảm ơn Quý vị đã nhận lời mời tham dự {{ edition_title }} ({{ dates }}). Hiện tất cả các chỗ đã được đăng ký, vì vậy chúng tôi đã đưa Quý vị vào danh sách chờ. Khi có chỗ trống, chỗ đó sẽ tự động được dành cho Quý vị và chúng tôi sẽ gửi thư xác nhận.\n\nNếu Quý vị không thể tham dự, xin vui lòng cho chúng tôi biết qua đường dẫn cá nhân:\n{{ rsvp_link }}\n\nMọi thắc mắc xin gửi về {{ contact_email }}.\n\nTrân trọng,\n{{ academy_name }}",
        ),
    ),
    "place_offered": (
        (
            "Đã có chỗ trống: Quý vị được xác nhận tham dự {{ edition_title }}",
            "Kính gửi {{ formal_name }},\n\nChúng tôi vui mừng thông báo đã có chỗ trống tại {{ edition_title }} vào {{ dates }}{% if venue %} tại {{ venue }}{% endif %}, và chỗ này được dành cho Quý vị. Sự tham dự của Quý vị nay đã được xác nhận; tệp lịch đính kèm giúp Quý vị thêm sự kiện vào lịch của mình.\n\nNếu Quý vị không thể tham dự, xin vui lòng từ chối qua đường dẫn cá nhân để chỗ này được dành cho người khác:\n{{ rsvp_link }}\n\nMọi thắc mắc xin vui lòng liên hệ {{ contact_email }}.\n\nTrân trọng,\n{{ academy_name }}",
        ),
        (
            "Đã có chỗ trống: Quý vị được xác nhận tham dự {{ edition_title }}",
            "Kính gửi {{ formal_name }},\n\nChúng tôi vui mừng thông báo đã có chỗ trống tại {{ edition_title }} vào {{ dates }}{% if venue %} tại {{ venue }}{% endif %}, và chỗ này được dành cho Quý vị. Sự tham dự của Quý vị nay đã được xác nhận; tệp lịch đính kèm giúp Quý vị thêm sự kiện vào lịch của mình.\n\nNếu Quý vị không thể tham dự, xin vui lòng từ chối qua đường dẫn cá nhân để chỗ này được dành cho người khác:\n{{ rsvp_link }}\n\nMọi thắc mắc xin gửi về {{ contact_email }}.\n\nTrân trọng,\n{{ academy_name }}",
        ),
    ),
    "withdrawn": (
        (
            "Thông báo về thư mời tham dự {{ edition_title }}",
            "Kính gửi {{ formal_name }},\n\nChúng tôi rất tiếc phải thông báo rằng thư mời tham dự {{ edition_title }} ({{ dates }}) đã được rút lại và đường dẫn cá nhân của Quý vị không còn hiệu lực. Chúng tôi xin lỗi vì sự bất tiện này.\n\nMọi thắc mắc xin vui lòng liên hệ {{ contact_email }}.\n\nTrân trọng,\n{{ academy_name }}",
        ),
        (
            "Thông báo về thư mời tham dự {{ edition_title }}",
            "Kính gửi {{ formal_name }},\n\nChúng tôi rất tiếc phải thông báo rằng thư mời tham dự {{ edition_title }} ({{ dates }}) đã được rút lại và đường dẫn cá nhân của Quý vị không còn hiệu lực. Chúng tôi xin lỗi vì sự bất tiện này.\n\nMọi thắc mắc xin gửi về {{ contact_email }}.\n\nTrân trọng,\n{{ academy_name }}",
        ),
    ),
}


def _apply(apps, *, forwards: bool):
    EmailTemplate = apps.get_model("forums", "EmailTemplate")
    for kind, (before, after) in REVIEWED.items():
        old, new = (before, after) if forwards else (after, before)
        EmailTemplate.objects.filter(
            kind=kind, language="vi", edition=None, subject=old[0], body=old[1]
        ).update(subject=new[0], body=new[1])


def forwards(apps, schema_editor):
    _apply(apps, forwards=True)


def backwards(apps, schema_editor):
    _apply(apps, forwards=False)


class Migration(migrations.Migration):
    dependencies = [("forums", "0008_vietnamese_titles")]

    operations = [migrations.RunPython(forwards, backwards)]
